#pragma once
// The scenario as forms: model, cluster, parallel plan, precision and the first
// training phase. Every field is bound to a JSON pointer of the scenario
// document; editing a field writes that one value into the document, and the
// document's diagnostics come back to the field their pointer names (or, when
// no field matches, to the nearest enclosing group). A field never clamps or
// corrects what was typed: text that is not a number is written as a string,
// and the library says what it expected.

#include <QWidget>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "gui/scenario_document.h"

class QFormLayout;
class QGroupBox;
class QLabel;
class QComboBox;

namespace moesim::gui {

class ScenarioForm : public QWidget {
  Q_OBJECT
 public:
  explicit ScenarioForm(ScenarioDocument* doc, QWidget* parent = nullptr);

  // The editor bound to `pointer` (e.g. "/plan/ep"); nullptr when none is.
  QWidget* editor(const std::string& pointer) const;
  // The diagnostics shown at `pointer` (a field or a group such as "/plan").
  QString error_text(const std::string& pointer) const;

 private:
  enum class Kind { kInt, kNumber, kChoice, kBool };
  struct Field {
    std::string pointer;
    Kind kind = Kind::kInt;
    QWidget* editor = nullptr;
    QLabel* error = nullptr;
    // The value the library uses when the key is absent, for the placeholder.
    std::function<QString(const Scenario&)> default_text;
  };

  QGroupBox* add_group(const QString& title, const std::string& pointer);
  // Labelled as parameter_labels() says.
  void add_field(QFormLayout* form, const std::string& pointer, Kind kind,
                 const QStringList& choices = {},
                 std::function<QString(const Scenario&)> default_text = {});
  void build_model_group();
  void commit(const Field& f);
  void choose_model_file();
  void refresh_values();
  void refresh_model();
  void show_fp8_dispatch();
  void show_diagnostics();

  ScenarioDocument* doc_;
  QLabel* document_error_;
  QComboBox* model_picker_ = nullptr;
  QLabel* model_figures_ = nullptr;
  std::optional<Scenario> last_valid_;  // for placeholders and key figures
  std::map<std::string, Field> fields_;
  std::map<std::string, QLabel*> group_errors_;  // "/plan" -> label atop its group
  std::map<std::string, QLabel*> part_notes_;    // "cluster" -> "from clusters/x.json"
};

}  // namespace moesim::gui
