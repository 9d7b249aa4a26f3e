#include "gui/scenario_form.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QVBoxLayout>

#include "gui/format.h"
#include "gui/parameter_labels.h"
#include "sim/hw/gpu_spec.h"
#include "sim/model/accounting.h"
#include "sim/scenario/scenario_json.h"

namespace moesim::gui {

namespace {

const char* const kErrorStyle = "color: #b00020;";
const char* const kBadEditStyle = "QLineEdit { border: 1px solid #d32f2f; background: #fff3f3; }";

QStringList to_qstrings(const std::vector<std::string>& v) {
  QStringList out;
  for (const auto& s : v) out << QString::fromStdString(s);
  return out;
}

// The label beside the field (the group names what it belongs to).
QString form_label(const std::string& pointer) {
  for (const ParameterLabel& p : parameter_labels())
    if (pointer == p.pointer) return p.label;
  return QString::fromStdString(pointer);
}

QLabel* make_error_label(QWidget* parent) {
  auto* l = new QLabel(parent);
  l->setStyleSheet(kErrorStyle);
  l->setWordWrap(true);
  l->setTextInteractionFlags(Qt::TextSelectableByMouse);
  l->hide();
  return l;
}

// JSON shown in a field: strings without quotes, numbers compactly.
QString display(const OrderedJson& v) {
  if (v.is_null()) return {};
  if (v.is_string()) return QString::fromStdString(v.get<std::string>());
  if (v.is_number_float()) return QString::number(v.get<double>(), 'g', 12);
  return QString::fromStdString(v.dump());
}

// What a typed text means as JSON. Not a number: a string, for the library to
// reject with its own message. Empty: remove the key (the default applies).
OrderedJson typed_value(const QString& typed) {
  const QString t = typed.trimmed();
  if (t.isEmpty()) return OrderedJson();
  bool ok = false;
  const qlonglong i = t.toLongLong(&ok);
  if (ok) return OrderedJson(static_cast<int64_t>(i));
  const double d = t.toDouble(&ok);
  if (ok) return OrderedJson(d);
  return OrderedJson(t.toStdString());
}

}  // namespace

ScenarioForm::ScenarioForm(ScenarioDocument* doc, QWidget* parent) : QWidget(parent), doc_(doc) {
  auto* layout = new QVBoxLayout(this);
  document_error_ = make_error_label(this);
  layout->addWidget(document_error_);
  group_errors_[""] = document_error_;

  build_model_group();

  QFormLayout* f = add_group("Cluster", "/cluster")->findChild<QFormLayout*>();
  add_field(f, "/cluster/gpu", Kind::kChoice, to_qstrings(gpu_names()));
  add_field(f, "/cluster/nodes", Kind::kInt);
  add_field(f, "/cluster/gpus_per_node", Kind::kInt, {},
            [](const Scenario& s) { return QString::number(s.cluster.gpus_per_node); });
  add_field(f, "/cluster/nvlink_GB_per_s", Kind::kNumber, {}, [](const Scenario& s) {
    return QString::number(gb_per_s(s.cluster.nvlink_achievable));
  });
  add_field(f, "/cluster/ib_GB_per_s", Kind::kNumber, {},
            [](const Scenario& s) { return QString::number(gb_per_s(s.cluster.ib_achievable)); });

  f = add_group("Parallel plan", "/plan")->findChild<QFormLayout*>();
  add_field(f, "/plan/pp", Kind::kInt);
  add_field(f, "/plan/ep", Kind::kInt, {},
            [](const Scenario& s) { return QString::number(s.plan.ep); });
  add_field(f, "/plan/dp", Kind::kInt);
  add_field(f, "/plan/tp", Kind::kInt, {},
            [](const Scenario& s) { return QString::number(s.plan.tp); });
  add_field(f, "/plan/etp", Kind::kInt, {},
            [](const Scenario& s) { return QString::number(s.plan.etp); });
  add_field(f, "/plan/cp", Kind::kInt, {},
            [](const Scenario& s) { return QString::number(s.plan.cp); });
  add_field(f, "/plan/zero_stage", Kind::kInt, {},
            [](const Scenario& s) { return QString::number(s.plan.zero_stage); });
  add_field(f, "/plan/schedule", Kind::kChoice, to_qstrings(schedule_names()),
            [](const Scenario& s) { return QString(to_string(s.plan.schedule)); });
  add_field(f, "/plan/virtual_stages", Kind::kInt, {},
            [](const Scenario& s) { return QString::number(s.plan.virtual_stages); });
  add_field(f, "/plan/micro_batch_size", Kind::kInt, {},
            [](const Scenario& s) { return QString::number(s.plan.micro_batch_size); });
  add_field(f, "/plan/comm_sms", Kind::kInt, {},
            [](const Scenario& s) { return QString::number(s.plan.comm_sms); });
  add_field(f, "/plan/redundant_experts", Kind::kInt, {},
            [](const Scenario& s) { return QString::number(s.plan.redundant_experts); });
  add_field(f, "/plan/recompute/norm", Kind::kBool);
  add_field(f, "/plan/recompute/mla_up_proj", Kind::kBool);
  add_field(f, "/plan/recompute/swiglu", Kind::kBool);
  add_field(f, "/plan/recompute/full", Kind::kBool);
  add_field(f, "/plan/recompute/layers", Kind::kInt, {},
            [](const Scenario& s) { return QString::number(s.plan.recompute.layers); });
  add_field(f, "/plan/ep_a2a_overlap", Kind::kBool);
  add_field(f, "/plan/shared_expert_overlap", Kind::kBool);
  add_field(f, "/plan/tp_comm_overlap", Kind::kBool);
  add_field(f, "/plan/reshard_after_forward", Kind::kBool, {},
            [](const Scenario& s) { return QString(s.plan.reshard_after_forward ? "true" : "false"); });

  f = add_group("Precision", "/precision")->findChild<QFormLayout*>();
  add_field(f, "/precision/kind", Kind::kChoice, {"fp8", "bf16"},
            [](const Scenario& s) { return QString(to_string(s.precision.kind)); });
  add_field(f, "/precision/fp8_dispatch", Kind::kBool);

  f = add_group("Training (first phase)", "/training")->findChild<QFormLayout*>();
  add_field(f, "/training/phases/0/tokens", Kind::kNumber);
  add_field(f, "/training/phases/0/seq_len", Kind::kInt);
  add_field(f, "/training/phases/0/global_batch", Kind::kInt);
  add_field(f, "/training/phases/0/batch_ramp/from", Kind::kInt);
  add_field(f, "/training/price_per_gpu_hour_usd", Kind::kNumber);
  // Expert load (sim/cost/expert_load.h): how tokens pick experts, and how
  // that load evens out over the run.
  add_field(f, "/training/routing/popularity", Kind::kChoice,
            {"uniform", "zipf", "histogram", "measured"},
            [](const Scenario& s) { return QString(to_string(s.training.routing.popularity)); });
  add_field(f, "/training/routing/zipf_exponent", Kind::kNumber);
  add_field(f, "/training/routing/seed", Kind::kInt, {},
            [](const Scenario& s) { return QString::number(s.training.routing.seed); });
  add_field(f, "/training/balancing/method", Kind::kChoice,
            {"none", "aux_free", "capacity"},
            [](const Scenario& s) { return QString(to_string(s.training.balancing.method)); });
  add_field(f, "/training/balancing/gamma", Kind::kNumber, {},
            [](const Scenario& s) { return QString::number(s.training.balancing.gamma); });
  add_field(f, "/training/balancing/capacity_factor", Kind::kNumber);
  group_errors_["/training/phases/0"] = group_errors_["/training"];
  layout->addStretch(1);

  connect(doc_, &ScenarioDocument::changed, this,
          [this](ScenarioDocument::Origin) { refresh_values(); });
  connect(doc_, &ScenarioDocument::validated, this, [this] {
    refresh_model();
    show_diagnostics();
  });
  refresh_values();
  refresh_model();
  show_diagnostics();
}

QGroupBox* ScenarioForm::add_group(const QString& title, const std::string& pointer) {
  auto* box = new QGroupBox(title, this);
  auto* v = new QVBoxLayout(box);
  QLabel* err = make_error_label(box);
  v->addWidget(err);
  group_errors_[pointer] = err;
  const std::string part = pointer.substr(1);
  auto* note = new QLabel(box);
  note->setStyleSheet("color: #666; font-style: italic;");
  note->setWordWrap(true);
  note->hide();
  v->addWidget(note);
  part_notes_[part] = note;
  auto* form = new QFormLayout();
  form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  v->addLayout(form);
  static_cast<QVBoxLayout*>(layout())->addWidget(box);
  return box;
}

void ScenarioForm::add_field(QFormLayout* form, const std::string& pointer, Kind kind,
                             const QStringList& choices,
                             std::function<QString(const Scenario&)> default_text) {
  auto* row = new QWidget(this);
  auto* v = new QVBoxLayout(row);
  v->setContentsMargins(0, 0, 0, 0);
  v->setSpacing(1);
  Field field{pointer, kind, nullptr, make_error_label(row), std::move(default_text)};
  if (kind == Kind::kChoice) {
    auto* c = new QComboBox(row);
    c->addItems(choices);
    connect(c, &QComboBox::activated, this, [this, pointer] { commit(fields_.at(pointer)); });
    field.editor = c;
  } else if (kind == Kind::kBool) {
    auto* c = new QCheckBox(row);
    connect(c, &QCheckBox::clicked, this, [this, pointer] { commit(fields_.at(pointer)); });
    field.editor = c;
  } else {
    auto* e = new QLineEdit(row);
    connect(e, &QLineEdit::editingFinished, this, [this, pointer] { commit(fields_.at(pointer)); });
    field.editor = e;
  }
  field.editor->setToolTip(QString::fromStdString(pointer));
  field.editor->setObjectName(QString::fromStdString(pointer));
  v->addWidget(field.editor);
  v->addWidget(field.error);
  form->addRow(form_label(pointer), row);
  fields_[pointer] = field;
}

void ScenarioForm::build_model_group() {
  QGroupBox* box = add_group("Model", "/model");
  QFormLayout* f = box->findChild<QFormLayout*>();
  auto* row = new QWidget(box);
  auto* h = new QHBoxLayout(row);
  h->setContentsMargins(0, 0, 0, 0);
  model_picker_ = new QComboBox(row);
  model_picker_->setObjectName("/model");
  auto* browse = new QPushButton("Browse...", row);
  h->addWidget(model_picker_, 1);
  h->addWidget(browse);
  f->addRow("Model file", row);
  model_figures_ = new QLabel("(key figures appear when the scenario is valid)", box);
  model_figures_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  model_figures_->setWordWrap(true);
  f->addRow(model_figures_);
  part_notes_.erase("model");
  connect(model_picker_, &QComboBox::activated, this, [this](int i) {
    const QString ref = model_picker_->itemData(i).toString();
    if (!ref.isEmpty()) doc_->set_value("/model", OrderedJson(ref.toStdString()));
  });
  connect(browse, &QPushButton::clicked, this, &ScenarioForm::choose_model_file);
}

void ScenarioForm::choose_model_file() {
  const QString base = QString::fromStdString(doc_->base_dir());
  const QString path = QFileDialog::getOpenFileName(this, "Model file", base + "/models",
                                                    "Models and HF configs (*.json)");
  if (path.isEmpty()) return;
  doc_->set_value(
      "/model",
      OrderedJson(QDir(base.isEmpty() ? "." : base).relativeFilePath(path).toStdString()));
}

void ScenarioForm::commit(const Field& f) {
  OrderedJson v;
  if (f.kind == Kind::kChoice) {
    v = static_cast<QComboBox*>(f.editor)->currentText().toStdString();
  } else if (f.kind == Kind::kBool) {
    v = static_cast<QCheckBox*>(f.editor)->isChecked();
  } else {
    v = typed_value(static_cast<QLineEdit*>(f.editor)->text());
  }
  if (v == doc_->value(f.pointer)) return;
  doc_->set_value(f.pointer, v);
}

void ScenarioForm::refresh_values() {
  // A document that is not JSON cannot feed the form; the text view owns it
  // until the syntax error is fixed.
  model_picker_->setEnabled(doc_->text_is_json());
  for (auto& [pointer, f] : fields_) {
    f.editor->setEnabled(doc_->text_is_json());
    const OrderedJson v = doc_->value(pointer);
    if (doc_->scenario()) last_valid_ = doc_->scenario();
    const std::optional<Scenario>& s = last_valid_;
    const QSignalBlocker block(f.editor);
    if (f.kind == Kind::kChoice) {
      auto* c = static_cast<QComboBox*>(f.editor);
      QString shown = display(v);
      if (shown.isEmpty() && s && f.default_text) shown = f.default_text(*s);
      if (!shown.isEmpty() && c->findText(shown) < 0) c->addItem(shown);
      c->setCurrentIndex(c->findText(shown));
    } else if (f.kind == Kind::kBool) {
      // An absent switch shows its default (reshard_after_forward is on).
      const bool on = v.is_boolean() ? v.get<bool>()
                                     : s && f.default_text && f.default_text(*s) == "true";
      static_cast<QCheckBox*>(f.editor)->setChecked(on);
    } else {
      auto* e = static_cast<QLineEdit*>(f.editor);
      e->setText(display(v));
      e->setPlaceholderText(s && f.default_text ? "default: " + f.default_text(*s) : "");
    }
  }
  show_fp8_dispatch();
  for (auto& [part, note] : part_notes_) {
    const std::string ref = doc_->part_reference(part);
    note->setVisible(!ref.empty());
    note->setText(QString("from %1; editing a field copies it into this scenario")
                      .arg(QString::fromStdString(ref)));
  }
  // Model picker: the model files beside the scenario, and whatever it names.
  const QSignalBlocker block(model_picker_);
  model_picker_->clear();
  const QDir models(QString::fromStdString(doc_->base_dir()) + "/models");
  for (const QString& name : models.entryList({"*.json"}, QDir::Files, QDir::Name))
    model_picker_->addItem("models/" + name, "models/" + name);
  const std::string ref = doc_->part_reference("model");
  if (ref.empty()) {
    model_picker_->addItem("(inline in the scenario)", QString());
  } else if (model_picker_->findData(QString::fromStdString(ref)) < 0) {
    model_picker_->addItem(QString::fromStdString(ref), QString::fromStdString(ref));
  }
  model_picker_->setCurrentIndex(ref.empty()
                                     ? model_picker_->count() - 1
                                     : model_picker_->findData(QString::fromStdString(ref)));
}

// FP8 dispatch applies to fp8 training only (PrecisionSpec::dispatches_fp8):
// under bf16 the box shows what runs, unticked and disabled, whatever the
// file says (the value is kept for a switch back to fp8).
void ScenarioForm::show_fp8_dispatch() {
  auto* box = static_cast<QCheckBox*>(fields_.at("/precision/fp8_dispatch").editor);
  const OrderedJson kind = doc_->value("/precision/kind");
  const bool bf16 = kind.is_string() ? kind == "bf16"
                                     : last_valid_ && last_valid_->precision.kind == PrecisionKind::kBf16;
  if (!bf16) {
    box->setToolTip("/precision/fp8_dispatch");
    return;
  }
  const QSignalBlocker block(box);
  box->setChecked(false);
  box->setEnabled(false);
  box->setToolTip("/precision/fp8_dispatch: applies with fp8 precision; a bf16 run's experts "
                  "take BF16, so it dispatches BF16");
}

void ScenarioForm::refresh_model() {
  // While the scenario is invalid the last valid one's figures stay, marked.
  if (doc_->scenario()) last_valid_ = doc_->scenario();
  const std::optional<Scenario>& s = last_valid_;
  if (!s || s->training.phases.empty()) return;
  const ModelSpec& m = s->model;
  const ModelSummary sum = summarize(m, s->training.phases.front().seq_len);
  QString moe = "dense";
  if (m.moe.num_routed_experts > 0)
    moe = QString("%1 routed + %2 shared experts, top-%3")
              .arg(m.moe.num_routed_experts)
              .arg(m.moe.num_shared_experts)
              .arg(m.moe.top_k);
  model_figures_->setText(
      QString("<b>%1</b><br>%2 layers (+%3 MTP), hidden %4, %5<br>"
              "%6 parameters, %7 activated per token<br>%8 training FLOPs per token%9")
          .arg(QString::fromStdString(m.name).toHtmlEscaped())
          .arg(m.num_layers)
          .arg(m.mtp_depth)
          .arg(m.hidden)
          .arg(moe)
          .arg(format_count(sum.params_total), format_count(sum.params_activated),
               format_count(flops(sum.train_flops_per_token)),
               doc_->scenario() ? QString() : QString("<br><i>(as of the last valid edit)</i>")));
}

void ScenarioForm::show_diagnostics() {
  std::map<QLabel*, QStringList> messages;
  for (auto& [p, f] : fields_) {
    if (auto* e = qobject_cast<QLineEdit*>(f.editor)) e->setStyleSheet("");
  }
  for (const Diagnostic& d : doc_->diagnostics().items()) {
    const std::string p = doc_->cause_pointer(d);
    // The field or group with the longest pointer that is a prefix of p.
    std::string best;
    QLabel* label = document_error_;
    auto consider = [&](const std::string& key, QLabel* l) {
      const bool prefix =
          key.empty() || p == key ||
          (p.size() > key.size() && p.compare(0, key.size(), key) == 0 && p[key.size()] == '/');
      if (prefix && key.size() >= best.size()) {
        best = key;
        label = l;
      }
    };
    for (const auto& [key, l] : group_errors_) consider(key, l);
    for (const auto& [key, f] : fields_) consider(key, f.error);
    QString text = QString::fromStdString(d.message);
    if (p.size() > best.size())
      text = QString::fromStdString(p.substr(best.size() + 1)) + ": " + text;
    messages[label] << text;
    auto it = fields_.find(best);
    if (it != fields_.end())
      if (auto* e = qobject_cast<QLineEdit*>(it->second.editor)) e->setStyleSheet(kBadEditStyle);
  }
  std::vector<QLabel*> all;
  for (const auto& [k, l] : group_errors_) all.push_back(l);
  for (const auto& [k, f] : fields_) all.push_back(f.error);
  for (QLabel* l : all) {
    const QStringList& m = messages[l];
    l->setText(m.join("\n"));
    l->setVisible(!m.isEmpty());
  }
}

QWidget* ScenarioForm::editor(const std::string& pointer) const {
  if (pointer == "/model") return model_picker_;
  auto it = fields_.find(pointer);
  return it == fields_.end() ? nullptr : it->second.editor;
}

QString ScenarioForm::error_text(const std::string& pointer) const {
  auto f = fields_.find(pointer);
  if (f != fields_.end()) return f->second.error->text();
  auto g = group_errors_.find(pointer);
  return g == group_errors_.end() ? QString() : g->second->text();
}

}  // namespace moesim::gui
