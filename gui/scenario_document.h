#pragma once
// The scenario being edited: its JSON document (key order kept as written),
// the file it came from, and the library's verdict on it. Form fields and the
// JSON text view both edit this one document; every change re-validates it
// with parse_scenario_text(), exactly what `moesim run` would read, so that
// what the window shows is what the CLI would say.
//
// Parts given as file references ("cluster": "clusters/h800-2048.json") are
// read through for display. Editing a field inside such a part copies the
// part inline first (visible in the JSON view), so a referenced file shared
// by other scenarios is never changed behind the user's back.
//
// Thread safety: GUI thread only.

#include <QObject>
#include <QString>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/diagnostics.h"
#include "sim/scenario/scenario.h"

namespace moesim::gui {

using OrderedJson = nlohmann::ordered_json;

// The five parts of a scenario, in file order.
const std::vector<std::string>& scenario_parts();

class ScenarioDocument : public QObject {
  Q_OBJECT
 public:
  // Who changed the document, so views do not echo their own edits back.
  enum class Origin { kLoad, kForm, kText };

  explicit ScenarioDocument(QObject* parent = nullptr);

  // Reads the file at `path`. A file that cannot be read or is not JSON is still
  // loaded as text, with the library's diagnostic (never a crash). Returns
  // false when the file could not be read at all.
  bool load(const QString& path);
  // Loads `text` as if read from `path` (e.g. a sweep point); not marked modified.
  void load_text(const QString& text, const QString& path);
  // Writes the JSON text to `path` and makes it the document's file.
  bool save(const QString& path, QString* error);

  QString path() const { return path_; }
  std::string file() const { return path_.toStdString(); }
  std::string base_dir() const;
  // The text differs from what was last loaded or saved (putting a value
  // back clears it).
  bool modified() const;

  // Undo and redo over committed edits (form fields, the text view's
  // debounced text); a load starts a fresh history. Each restores the whole
  // document text, re-validated.
  bool can_undo() const { return !undo_.empty(); }
  bool can_redo() const { return !redo_.empty(); }
  void undo();
  void redo();

  // The JSON text as the text view shows it.
  QString text() const { return text_; }
  // From the text view. Text that is not JSON keeps the last good document for
  // the form and reports the syntax error.
  void set_text(const QString& text);
  bool text_is_json() const { return text_is_json_; }

  // The value at `pointer` (RFC 6901), looking through parts given as file
  // references; null when absent.
  OrderedJson value(const std::string& pointer) const;
  // Sets the value at `pointer` (from a form field); a null value removes the
  // key so that the library's default applies.
  void set_value(const std::string& pointer, const OrderedJson& v);
  // Several values as one edit (one undo step), e.g. a sweep point applied.
  void set_values(const std::vector<std::pair<std::string, OrderedJson>>& values);
  // The whole document with every part read from its file: the base of a sweep.
  OrderedJson inlined() const;
  // The path a part refers to, or "" when it is inline.
  std::string part_reference(const std::string& part) const;

  // The library's verdict on the current text.
  const Diagnostics& diagnostics() const { return diagnostics_; }
  const std::optional<Scenario>& scenario() const { return scenario_; }
  // Where diagnostic `d` points in this document: its JSON pointer from the
  // scenario's root, or "" for the document as a whole.
  std::string scenario_pointer(const Diagnostic& d) const;
  // Where to show diagnostic `d`: of its pointer and the values its rule also
  // read (Diagnostic::related), the one the latest edit changed; else its
  // pointer. A DP that no longer divides by EP shows at DP when DP was typed.
  std::string cause_pointer(const Diagnostic& d) const;
  // The values the latest edit (form, text, undo or redo) changed.
  const std::vector<std::string>& last_changed() const { return last_changed_; }

 signals:
  void changed(moesim::gui::ScenarioDocument::Origin origin);
  // Undo or redo became (un)available.
  void history_changed();
  void validated();

 private:
  void validate();
  OrderedJson read_part(const std::string& part) const;

  QString path_;
  QString text_;
  OrderedJson json_ = OrderedJson::object();
  bool text_is_json_ = true;
  QString saved_text_;       // as last loaded or saved
  OrderedJson saved_json_;   // the same, parsed (null when it was not JSON)
  std::vector<QString> undo_, redo_;  // document texts before / after each edit
  void record_edit(const QString& before);  // an edit's undo point
  void restore(const QString& text);
  void step_history(std::vector<QString>& from, std::vector<QString>& to);
  void note_changes(const OrderedJson& before);
  std::vector<std::string> last_changed_;
  Diagnostics diagnostics_;
  std::optional<Scenario> scenario_;
};

}  // namespace moesim::gui
