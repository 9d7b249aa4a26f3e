#include "gui/scenario_document.h"

#include <QFile>
#include <QSaveFile>
#include <filesystem>

#include "sim/scenario/part_references.h"
#include "sim/scenario/scenario_json.h"

namespace moesim::gui {

namespace fs = std::filesystem;

namespace {

// Splits an RFC 6901 pointer into unescaped tokens ("/a~1b/c" -> {"a/b", "c"}).
std::vector<std::string> pointer_tokens(const std::string& pointer) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < pointer.size() && pointer[i] == '/') {
    const size_t next = pointer.find('/', i + 1);
    std::string t =
        pointer.substr(i + 1, next == std::string::npos ? std::string::npos : next - i - 1);
    std::string u;
    for (size_t k = 0; k < t.size(); ++k) {
      if (t[k] == '~' && k + 1 < t.size()) {
        u += t[k + 1] == '1' ? '/' : '~';
        ++k;
      } else {
        u += t[k];
      }
    }
    out.push_back(u);
    i = next == std::string::npos ? pointer.size() : next;
  }
  return out;
}

std::string rest_of(const std::string& pointer) {
  const size_t second = pointer.find('/', 1);
  return second == std::string::npos ? std::string() : pointer.substr(second);
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

OrderedJson parse_object(const QByteArray& bytes) {
  OrderedJson j = OrderedJson::parse(bytes.constData(), bytes.constData() + bytes.size(), nullptr,
                                     /*allow_exceptions=*/false);
  return j.is_object() ? j : OrderedJson();
}

}  // namespace

const std::vector<std::string>& scenario_parts() {
  static const std::vector<std::string> parts = {"model", "cluster", "plan", "precision",
                                                 "training"};
  return parts;
}

ScenarioDocument::ScenarioDocument(QObject* parent) : QObject(parent) {}

std::string ScenarioDocument::base_dir() const { return fs::path(file()).parent_path().string(); }

bool ScenarioDocument::load(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) {
    diagnostics_ = Diagnostics();
    diagnostics_.add(path.toStdString(), "", "cannot open: " + f.errorString().toStdString());
    emit validated();
    return false;
  }
  load_text(QString::fromUtf8(f.readAll()), path);
  return true;
}

void ScenarioDocument::load_text(const QString& text, const QString& path) {
  path_ = path;
  text_ = text;
  const OrderedJson j = parse_object(text.toUtf8());
  text_is_json_ = !j.is_null();
  if (text_is_json_) json_ = j;
  saved_text_ = text_;
  saved_json_ = text_is_json_ ? json_ : OrderedJson();
  last_changed_.clear();
  undo_.clear();
  redo_.clear();
  validate();
  emit changed(Origin::kLoad);
  emit history_changed();
}

bool ScenarioDocument::modified() const {
  // The same document, however the text is laid out (a form edit rewrites
  // the whole text), is not a change.
  if (text_is_json_ && !saved_json_.is_null()) return json_ != saved_json_;
  return text_ != saved_text_;
}

void ScenarioDocument::record_edit(const QString& before) {
  constexpr size_t kMaxUndo = 200;
  undo_.push_back(before);
  if (undo_.size() > kMaxUndo) undo_.erase(undo_.begin());
  redo_.clear();
  emit history_changed();
}

void ScenarioDocument::restore(const QString& text) {
  text_ = text;
  const OrderedJson before = json_;  // the last document that was JSON
  const OrderedJson j = parse_object(text.toUtf8());
  text_is_json_ = !j.is_null();
  if (text_is_json_) json_ = j;
  note_changes(before);
  validate();
  emit changed(Origin::kLoad);  // every view shows it, the text view included
  emit history_changed();
}

// Undo and redo: the current text onto one stack, the other's top restored.
void ScenarioDocument::step_history(std::vector<QString>& from, std::vector<QString>& to) {
  if (from.empty()) return;
  to.push_back(text_);
  const QString t = from.back();
  from.pop_back();
  restore(t);
}

void ScenarioDocument::undo() { step_history(undo_, redo_); }
void ScenarioDocument::redo() { step_history(redo_, undo_); }

bool ScenarioDocument::save(const QString& path, QString* error) {
  // Saved into another folder, relative part references are rewritten to name
  // the same files from there (visible in the JSON view).
  const fs::path new_dir = fs::absolute(fs::path(path.toStdString())).parent_path();
  const fs::path old_dir = fs::absolute(fs::path(base_dir()));
  if (text_is_json_ && new_dir.lexically_normal() != old_dir.lexically_normal()) {
    bool rewritten = false;
    for (const std::string& part : scenario_parts()) {
      const std::string ref = part_reference(part);
      if (ref.empty() || fs::path(ref).is_absolute()) continue;
      const fs::path target = (old_dir / ref).lexically_normal();
      json_[part] = target.lexically_relative(new_dir.lexically_normal()).generic_string();
      rewritten = true;
    }
    for (const std::string& part : scenario_parts()) {
      if (!json_.contains(part) || !json_[part].is_object()) continue;
      const OrderedJson before = json_[part];
      rebase_part_references(json_[part], part, old_dir, new_dir);
      rewritten = rewritten || json_[part] != before;
    }
    if (rewritten) text_ = QString::fromStdString(json_.dump(2)) + "\n";
  }
  QSaveFile f(path);
  if (!f.open(QIODevice::WriteOnly) || f.write(text_.toUtf8()) < 0 || !f.commit()) {
    if (error) *error = f.errorString();
    return false;
  }
  // Relative part references stay relative to the new file's folder; the user
  // sees any that no longer resolve in the diagnostics.
  path_ = path;
  saved_text_ = text_;
  saved_json_ = text_is_json_ ? json_ : OrderedJson();
  validate();
  emit changed(Origin::kLoad);
  return true;
}

void ScenarioDocument::set_text(const QString& text) {
  if (text == text_) return;
  record_edit(text_);
  text_ = text;
  const OrderedJson before = json_;  // the last document that was JSON
  const OrderedJson j = parse_object(text.toUtf8());
  text_is_json_ = !j.is_null();
  if (text_is_json_) json_ = j;
  note_changes(before);
  validate();
  emit changed(Origin::kText);
}

std::string ScenarioDocument::part_reference(const std::string& part) const {
  if (!json_.contains(part) || !json_[part].is_string()) return "";
  return json_[part].get<std::string>();
}

OrderedJson ScenarioDocument::read_part(const std::string& part) const {
  const std::string ref = part_reference(part);
  if (ref.empty()) return OrderedJson();
  const fs::path p = fs::path(ref).is_absolute() ? fs::path(ref) : fs::path(base_dir()) / ref;
  QFile f(QString::fromStdString(p.lexically_normal().string()));
  if (!f.open(QIODevice::ReadOnly)) return OrderedJson();
  // As it reads inside this document: its own references rebased from its file.
  OrderedJson j = parse_object(f.readAll());
  rebase_part_references(j, part, p.parent_path(), fs::path(base_dir()));
  return j;
}

OrderedJson ScenarioDocument::value(const std::string& pointer) const {
  const std::vector<std::string> tokens = pointer_tokens(pointer);
  if (tokens.empty()) return json_;
  const OrderedJson* root = &json_;
  std::string inside = pointer;
  OrderedJson part;
  if (tokens.size() > 1 && !part_reference(tokens[0]).empty()) {
    part = read_part(tokens[0]);
    root = &part;
    inside = rest_of(pointer);
  }
  const OrderedJson::json_pointer ptr(inside);
  if (!root->is_object() || !root->contains(ptr)) return OrderedJson();
  return root->at(ptr);
}

void ScenarioDocument::set_value(const std::string& pointer, const OrderedJson& v) {
  set_values({{pointer, v}});
}

void ScenarioDocument::set_values(const std::vector<std::pair<std::string, OrderedJson>>& values) {
  if (!text_is_json_) return;
  std::vector<std::string> written;
  for (const auto& [pointer, v] : values) {
    const std::vector<std::string> tokens = pointer_tokens(pointer);
    if (tokens.empty()) continue;
    if (tokens.size() > 1 && !part_reference(tokens[0]).empty()) {
      // Copy the referenced part inline before changing it (see the header).
      OrderedJson part = read_part(tokens[0]);
      json_[tokens[0]] = part.is_object() ? part : OrderedJson::object();
    }
    if (v.is_null()) {
      const OrderedJson::json_pointer ptr(pointer);
      if (json_.contains(ptr)) {
        OrderedJson& parent = json_.at(ptr.parent_pointer());
        if (parent.is_object()) parent.erase(tokens.back());
      }
    } else {
      try {
        json_[OrderedJson::json_pointer(pointer)] = v;
      } catch (const nlohmann::json::exception&) {
        // A parent of `pointer` is not an object (e.g. "plan": 3): the field cannot
        // be written, and the diagnostics already say what is wrong with the parent.
        continue;
      }
    }
    written.push_back(pointer);
  }
  const QString before = text_;
  text_ = QString::fromStdString(json_.dump(2)) + "\n";
  if (text_ == before) return;
  last_changed_ = written;
  record_edit(before);
  validate();
  emit changed(Origin::kForm);
}

// Against the last document that was JSON, so that typing through a syntax
// error ("dp": ,) still names the value that changed.
void ScenarioDocument::note_changes(const OrderedJson& before) {
  last_changed_.clear();
  if (!text_is_json_) return;
  for (const auto& op : OrderedJson::diff(before, json_))
    last_changed_.push_back(op.at("path").get<std::string>());
}

std::string ScenarioDocument::cause_pointer(const Diagnostic& d) const {
  const std::string primary = scenario_pointer(d);
  auto edited = [&](const std::string& p) {
    for (const std::string& q : last_changed_)
      if (p == q || (p.size() > q.size() && p.compare(0, q.size(), q) == 0 && p[q.size()] == '/'))
        return true;
    return false;
  };
  if (primary.empty() || edited(primary)) return primary;
  for (const DiagnosticPlace& r : d.related) {
    const std::string p = scenario_pointer(Diagnostic{r.file, r.path, "", {}});
    if (!p.empty() && edited(p)) return p;
  }
  return primary;
}

OrderedJson ScenarioDocument::inlined() const {
  OrderedJson j = json_;
  for (const std::string& part : scenario_parts()) {
    if (part_reference(part).empty()) continue;
    OrderedJson sub = read_part(part);
    if (!sub.is_null()) j[part] = std::move(sub);
  }
  return j;
}

std::string ScenarioDocument::scenario_pointer(const Diagnostic& d) const {
  if (d.file == file()) return d.path;
  for (const std::string& part : scenario_parts()) {
    const std::string ref = part_reference(part);
    if (ref.empty()) continue;
    const fs::path resolved =
        fs::path(ref).is_absolute() ? fs::path(ref) : fs::path(base_dir()) / ref;
    if (d.file == resolved.lexically_normal().string() || d.file == ref ||
        ends_with(d.file, "/" + ref))
      return "/" + part + d.path;
  }
  return "";
}

void ScenarioDocument::validate() {
  diagnostics_ = Diagnostics();
  scenario_.reset();
  try {
    scenario_ = parse_scenario_text(text_.toStdString(), file(), base_dir());
  } catch (const InputError& e) {
    diagnostics_ = e.diagnostics();
  } catch (const std::exception& e) {
    diagnostics_.add(file(), "", std::string("internal error: ") + e.what());
  }
  emit validated();
}

}  // namespace moesim::gui
