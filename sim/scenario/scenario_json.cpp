// The scenario document: a name, a description and five parts, each inline or
// a path (relative to the referencing file) to a file of its own. Parts are
// parsed one by one, every problem collected; the cross-part checks of
// plan_checks.cpp then run over the parts that parsed cleanly.
#include "sim/scenario/scenario_json.h"

#include <filesystem>

#include "sim/scenario/detail/json_file.h"
#include "sim/scenario/detail/parts.h"
#include "sim/scenario/detail/plan_checks.h"

namespace moesim {

JsonLocation JsonLocation::operator/(const std::string& key) const {
  std::string escaped;
  for (char c : key) {
    if (c == '~')
      escaped += "~0";
    else if (c == '/')
      escaped += "~1";
    else
      escaped += c;
  }
  return JsonLocation{file, pointer + "/" + escaped};
}

JsonLocation JsonLocation::operator/(size_t index) const {
  return JsonLocation{file, pointer + "/" + std::to_string(index)};
}

bool ScenarioSources::operator==(const ScenarioSources& o) const {
  return scenario == o.scenario && model == o.model && cluster == o.cluster && plan == o.plan &&
         precision == o.precision && training == o.training &&
         model_is_hf_config == o.model_is_hf_config;
}

namespace {

using detail::json;
using detail::ObjectReader;
using detail::ParseLog;

// The object of the part under `key`: a copy of the inline object, or the
// document of the file its string names. Sets `at` to where the part's object
// lives. nullopt when the part is absent or unusable (reported, if required).
std::optional<json> resolve_part(ObjectReader& top, const std::string& key,
                                 const std::string& base_dir, detail::Presence presence,
                                 JsonLocation& at) {
  at = top.where() / key;
  const json* v = top.get(key, presence, "an object, or the path of a JSON file");
  if (!v) return std::nullopt;
  if (v->is_object()) return *v;
  if (!v->is_string()) {
    top.log().bad_value(at, "expected an object, or the path of a JSON file (a string), found " +
                                detail::describe(*v));
    return std::nullopt;
  }
  const std::string reference = v->get<std::string>();
  const std::string path = detail::resolve_reference(base_dir, reference);
  auto doc = detail::read_json_file(path, top.log(), &at, reference);
  at = JsonLocation{path, ""};
  return doc;
}

LoadedScenario parse(const json& j, const std::string& file, const std::string& base_dir,
                     ParseLog& log) {
  LoadedScenario out;
  Scenario& s = out.scenario;
  ScenarioSources& src = out.sources;
  src.scenario = JsonLocation{file, ""};
  ObjectReader top(j, src.scenario, log, "a scenario");
  if (!top.valid()) return out;
  top.read("name", s.name, detail::kRequired);
  top.read("description", s.description);

  detail::PartsValid ok;
  // Parses one part; a part is valid when it was present and added no diagnostic.
  auto part = [&](const char* key, detail::Presence presence, JsonLocation& at, auto&& parse_fn) {
    const size_t before = log.size();
    const auto doc = resolve_part(top, key, base_dir, presence, at);
    if (doc) parse_fn(*doc);
    return (doc || presence == detail::kOptional) && log.size() == before;
  };
  ok.model = part("model", detail::kRequired, src.model, [&](const json& d) {
    src.model_is_hf_config = detail::is_hf_config(d);
    s.model = detail::parse_model(d, src.model, log);
  });
  ok.cluster = part("cluster", detail::kRequired, src.cluster,
                    [&](const json& d) {
                      // A referenced cluster's own references are relative to its
                      // file; an inline one's to the scenario's base folder.
                      const bool referenced = j.is_object() && j.contains("cluster") &&
                                              j["cluster"].is_string();
                      const std::string dir =
                          referenced ? std::filesystem::path(src.cluster.file).parent_path().string()
                                     : base_dir;
                      s.cluster = detail::parse_cluster(d, src.cluster, log, dir);
                    });
  detail::BasePlan base;
  json plan_doc;
  ok.plan = part("plan", detail::kRequired, src.plan, [&](const json& d) {
    base.gives_micro_batches = d.is_object() && d.contains("micro_batches");
    plan_doc = d;
    s.plan = detail::parse_plan(d, src.plan, log);
  });
  const size_t before_batch = log.size();
  if (ok.plan) base.global_batch = detail::plan_global_batch(s.plan, src.plan, log);
  ok.plan = ok.plan && log.size() == before_batch;
  if (ok.plan) base.doc = &plan_doc;
  ok.precision = part("precision", detail::kOptional, src.precision, [&](const json& d) {
    s.precision = detail::parse_precision(d, src.precision, log);
  });
  ok.training = part("training", detail::kRequired, src.training, [&](const json& d) {
    s.training = detail::parse_training(d, src.training, log, base);
  });
  top.finish();
  detail::check_scenario(s, src, ok, log);
  return out;
}

}  // namespace

LoadedScenario parse_scenario_with_sources(const nlohmann::json& j, const std::string& file,
                                           const std::string& base_dir) {
  ParseLog log;
  LoadedScenario out = parse(j, file, base_dir, log);
  log.diagnostics().throw_if_any();
  return out;
}

Scenario parse_scenario(const nlohmann::json& j, const std::string& file,
                        const std::string& base_dir) {
  return parse_scenario_with_sources(j, file, base_dir).scenario;
}

Scenario parse_scenario_text(const std::string& text, const std::string& file,
                             const std::string& base_dir) {
  ParseLog log;
  const auto doc = detail::parse_json_text(text, file, log);
  if (!doc) log.diagnostics().throw_if_any();
  return parse_scenario(*doc, file, base_dir);
}

LoadedScenario load_scenario_with_sources(const std::string& path) {
  ParseLog log;
  const auto doc = detail::read_json_file(path, log);
  if (!doc) log.diagnostics().throw_if_any();
  return parse_scenario_with_sources(*doc, path, detail::directory_of(path));
}

Scenario load_scenario(const std::string& path) {
  return load_scenario_with_sources(path).scenario;
}

ModelSpec load_model(const std::string& path) {
  ParseLog log;
  const auto doc = detail::read_json_file(path, log);
  ModelSpec m;
  if (doc) m = detail::parse_model(*doc, JsonLocation{path, ""}, log);
  log.diagnostics().throw_if_any();
  return m;
}

}  // namespace moesim
