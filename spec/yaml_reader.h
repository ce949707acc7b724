// Typed reading of a YAML document for the spec parser: every value knows
// its field path ("sweep.platform[2]") and where it is in the file, so
// every message can say "SOURCE:LINE:COLUMN: PATH: ...". Mappings reject
// unknown and duplicate keys; a single value is accepted where a list is
// expected. yaml-cpp's exceptions stop here. Messages quote values and
// paths clipped (common/echo_text.h), so a huge value is not echoed back.
// Internal to spec/; one reader per parse, not thread-safe.
#ifndef SCALEBENCH_SPEC_YAML_READER_H_
#define SCALEBENCH_SPEC_YAML_READER_H_

#include <google/protobuf/duration.pb.h>
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "api/enum_names.h"
#include "common/echo_text.h"

namespace scalebench::spec {

// One value of the document.
struct YamlValue {
  YAML::Node node;
  // The field's path: "" for the document, "loadgen.duration", "models[1]".
  std::string path;
  // Where the value starts; where its key starts when the value is empty.
  YAML::Mark mark;
};

class YamlReader final {
 public:
  using Visit = std::function<absl::Status(const YamlValue& value)>;
  // A mapping's known keys and what to do with each.
  using Fields = std::vector<std::pair<absl::string_view, Visit>>;

  // `source` names the document in messages.
  explicit YamlReader(absl::string_view source);
  YamlReader(const YamlReader&) = delete;
  YamlReader& operator=(const YamlReader&) = delete;

  // Parses `yaml`, which must hold exactly one document that is a mapping.
  // INVALID_ARGUMENT for a syntax error, an empty document, more than one
  // document or a document that is not a mapping.
  absl::StatusOr<YamlValue> Load(absl::string_view yaml);

  // INVALID_ARGUMENT "SOURCE:LINE:COLUMN: PATH: MESSAGE" at `value`.
  absl::Status Error(const YamlValue& value, absl::string_view message) const;

  // The same for a problem found after reading (ValidateSpec), at the
  // value of `path` or, when the document does not give it, of the
  // nearest enclosing path it gives, or at the document's start.
  absl::Status ErrorAtPath(absl::string_view path,
                           absl::string_view message) const;

  // Calls each known field's visitor for the keys of mapping `map`, in
  // document order. `what` names the mapping in the message about an
  // unknown key ("loadgen"). Errors: `map` is not a mapping, a key is not
  // text, a key repeats, a key is unknown, or what a visitor returns.
  absl::Status ReadFields(const YamlValue& map, absl::string_view what,
                          const Fields& fields);

  // Calls `visit(key, key_mark, value)` for every entry of mapping `map`,
  // keys checked to be text and unique, in document order.
  using VisitEntry = std::function<absl::Status(const std::string& key,
                                                const YAML::Mark& key_mark,
                                                const YamlValue& value)>;
  absl::Status ForEachEntry(const YamlValue& map, const VisitEntry& visit);

  // Calls `visit` for every element of list `list` ("PATH[i]"), or once
  // for a single value given instead of a list ("PATH[0]").
  absl::Status ForEachElement(const YamlValue& list, const Visit& visit);

  // Scalars. Each fails with INVALID_ARGUMENT at `value` when the value is
  // missing, a list or mapping, or not of the kind asked for.
  absl::StatusOr<std::string> Text(const YamlValue& value) const;
  // A whole number from 0 to `max`, in decimal digits.
  absl::StatusOr<uint64_t> WholeNumber(const YamlValue& value,
                                       uint64_t max) const;
  absl::StatusOr<uint32_t> Count(const YamlValue& value) const;
  absl::StatusOr<uint64_t> Count64(const YamlValue& value) const;
  // A finite number.
  absl::StatusOr<double> Number(const YamlValue& value) const;
  // "true" or "false".
  absl::StatusOr<bool> Bool(const YamlValue& value) const;
  // ParseDurationText's spelling: "30s", "500ms", "2m".
  absl::StatusOr<google::protobuf::Duration> Duration(
      const YamlValue& value) const;
  // api/enum_names.h's spelling: "native", "roundrobin".
  template <typename E>
  absl::StatusOr<E> Enum(const YamlValue& value) const {
    absl::StatusOr<std::string> text = Text(value);
    if (!text.ok()) return text.status();
    absl::StatusOr<E> parsed = api::ParseEnumName<E>(*text);
    if (!parsed.ok()) {
      // Not parsed.status(): it repeats the text whole.
      return Error(value,
                   absl::StrCat(QuoteValue(*text), " is not one of ",
                                absl::StrJoin(api::EnumNames<E>(), ", ")));
    }
    return *parsed;
  }

 private:
  YamlValue Child(const YamlValue& parent, std::string path,
                  const YAML::Node& node, const YAML::Mark& fallback);
  absl::Status ErrorAtMark(const YAML::Mark& mark, absl::string_view path,
                           absl::string_view message) const;
  // The scalar text of `value`; an error when it is not a scalar.
  absl::StatusOr<std::string> Scalar(const YamlValue& value,
                                     absl::string_view expected) const;

  std::string source_;
  // The mark of every path read so far.
  absl::flat_hash_map<std::string, YAML::Mark> marks_;
  YAML::Mark start_;
};

}  // namespace scalebench::spec

#endif  // SCALEBENCH_SPEC_YAML_READER_H_
