#include "spec/yaml_reader.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/echo_text.h"
#include "common/flag_values.h"
#include "spec/durations.h"

namespace scalebench::spec {
namespace {

// An unknown key this close to a known one (in edits) is taken for a typo.
constexpr size_t kMaxTypoDistance = 2;
// The most bytes of a field's path that a message repeats: a path holds
// the document's keys, which can be long.
constexpr size_t kMaxEchoedPath = 200;

bool HasMark(const YAML::Mark& mark) { return !mark.is_null(); }

// What a value that is not what was expected is, for messages.
std::string Describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Scalar:
      return QuoteValue(node.Scalar());
    default:
      return "nothing";
  }
}

size_t EditDistance(absl::string_view a, absl::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1,
                         diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// Records where each document starts, and where its first value starts
// (as a node's Mark() would say), and nothing else.
class DocumentStarts final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    starts.push_back(mark);
    values.push_back(mark);
    value_seen_ = false;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { Value(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { Value(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    Value(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&,
                       YAML::anchor_t, YAML::EmitterStyle::value) override {
    Value(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    Value(mark);
  }
  void OnMapEnd() override {}

  std::vector<YAML::Mark> starts;
  std::vector<YAML::Mark> values;

 private:
  void Value(const YAML::Mark& mark) {
    if (value_seen_ || values.empty()) return;
    values.back() = mark;
    value_seen_ = true;
  }
  bool value_seen_ = false;
};

std::string Join(absl::string_view path, absl::string_view key) {
  return path.empty() ? std::string(key) : absl::StrCat(path, ".", key);
}

}  // namespace

YamlReader::YamlReader(absl::string_view source) : source_(source) {
  start_.line = 0;
  start_.column = 0;
  start_.pos = 0;
}

absl::StatusOr<YamlValue> YamlReader::Load(absl::string_view yaml) {
  const std::string text(yaml);
  YAML::Node first;
  // Where the second document starts, if there is one; and whether the
  // parser made no progress there (yaml-cpp 0.7 reads a stray ',' where a
  // document's value should start as an empty document without consuming
  // it, so YAML::LoadAll would collect empty documents until memory runs
  // out: documents are read one at a time, and at most two).
  std::optional<YAML::Mark> second;
  bool stuck = false;
  try {
    first = YAML::Load(text);
    std::istringstream stream(text);
    YAML::Parser parser(stream);
    DocumentStarts starts;
    if (parser.HandleNextDocument(starts) &&
        parser.HandleNextDocument(starts) && starts.starts.size() == 2) {
      second = starts.values[1];
      stuck = starts.starts[0].pos == starts.starts[1].pos;
    }
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp says only "bad file" here.
    return ErrorAtMark(
        e.mark, "",
        absl::StrCat("invalid YAML: nested too deeply (", e.depth(),
                     " levels of lists and mappings, the parser's limit; a "
                     "spec needs a handful)"));
  } catch (const YAML::Exception& e) {
    // Some messages end with the offending character: kept on one line.
    return ErrorAtMark(
        e.mark, "",
        absl::StrCat("invalid YAML: ", OneLine(e.msg, kMaxEchoedPath)));
  }
  if (stuck) {
    const size_t pos = static_cast<size_t>(std::max(0, second->pos));
    return ErrorAtMark(
        *second, "",
        absl::StrCat("invalid YAML: ",
                     pos < text.size() ? QuoteValue(text.substr(pos, 1))
                                       : std::string("this"),
                     " cannot start a value"));
  }
  if (first.IsNull()) return ErrorAtMark(start_, "", "the spec is empty");
  if (second.has_value()) {
    return ErrorAtMark(*second, "",
                       "a spec file holds one YAML document; this is a "
                       "second one");
  }
  YamlValue root{first, "", first.Mark()};
  if (!HasMark(root.mark)) root.mark = start_;
  start_ = root.mark;
  if (!root.node.IsMap()) {
    return ErrorAtMark(root.mark, "",
                       absl::StrCat("a spec is a mapping of fields, not ",
                                    Describe(root.node)));
  }
  return root;
}

absl::Status YamlReader::ErrorAtMark(const YAML::Mark& mark,
                                     absl::string_view path,
                                     absl::string_view message) const {
  const YAML::Mark& at = HasMark(mark) ? mark : start_;
  return absl::InvalidArgumentError(absl::StrCat(
      source_, ":", at.line + 1, ":", at.column + 1, ": ",
      OneLine(path, kMaxEchoedPath), path.empty() ? "" : ": ", message));
}

absl::Status YamlReader::Error(const YamlValue& value,
                               absl::string_view message) const {
  return ErrorAtMark(value.mark, value.path, message);
}

absl::Status YamlReader::ErrorAtPath(absl::string_view path,
                                     absl::string_view message) const {
  absl::string_view prefix = path;
  while (!prefix.empty()) {
    const auto it = marks_.find(prefix);
    if (it != marks_.end()) return ErrorAtMark(it->second, path, message);
    const size_t cut = prefix.find_last_of(".[");
    if (cut == absl::string_view::npos) break;
    prefix = prefix.substr(0, cut);
  }
  return ErrorAtMark(start_, path, message);
}

YamlValue YamlReader::Child(const YamlValue& parent, std::string path,
                            const YAML::Node& node,
                            const YAML::Mark& fallback) {
  YamlValue child{node, std::move(path), node.Mark()};
  // An empty value's mark is wherever the parser stopped (often the next
  // line): point at its key instead.
  if (node.IsNull() || !HasMark(child.mark)) {
    child.mark = HasMark(fallback) ? fallback : parent.mark;
  }
  marks_[child.path] = child.mark;
  return child;
}

absl::Status YamlReader::ForEachEntry(const YamlValue& map,
                                      const VisitEntry& visit) {
  if (!map.node.IsMap()) {
    return Error(map,
                 absl::StrCat("expected a mapping, got ", Describe(map.node)));
  }
  absl::flat_hash_map<std::string, int> first_line;
  for (const auto& entry : map.node) {
    // Copies: the iterator's nodes are temporaries.
    const YAML::Node key = entry.first;
    const YAML::Node node = entry.second;
    if (!key.IsScalar()) {
      return ErrorAtMark(
          key.Mark(), map.path,
          absl::StrCat("a key must be text, not ", Describe(key)));
    }
    const std::string path = Join(map.path, key.Scalar());
    const auto [seen, added] =
        first_line.emplace(key.Scalar(), key.Mark().line + 1);
    if (!added) {
      return ErrorAtMark(
          key.Mark(), path,
          absl::StrCat("given twice (first on line ", seen->second, ")"));
    }
    const YamlValue value = Child(map, path, node, key.Mark());
    if (absl::Status s = visit(key.Scalar(), key.Mark(), value); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status YamlReader::ReadFields(const YamlValue& map,
                                    absl::string_view what,
                                    const Fields& fields) {
  return ForEachEntry(map, [&](const std::string& key,
                               const YAML::Mark& key_mark,
                               const YamlValue& value) {
    for (const auto& [name, visit] : fields) {
      if (name == key) return visit(value);
    }
    std::vector<absl::string_view> names;
    absl::string_view closest;
    size_t best = kMaxTypoDistance + 1;
    for (const auto& field : fields) {
      const absl::string_view name = field.first;
      names.push_back(name);
      const size_t d = EditDistance(absl::AsciiStrToLower(key), name);
      if (d < best) {
        best = d;
        closest = name;
      }
    }
    const std::string hint =
        closest.empty() ? "" : absl::StrCat(" (did you mean '", closest, "'?)");
    return ErrorAtMark(key_mark, value.path,
                       absl::StrCat("unknown field", hint, "; the fields of ",
                                    what, " are ", absl::StrJoin(names, ", ")));
  });
}

absl::Status YamlReader::ForEachElement(const YamlValue& list,
                                        const Visit& visit) {
  if (list.node.IsNull()) return Error(list, "has no value");
  if (!list.node.IsSequence()) {
    return visit(
        Child(list, absl::StrCat(list.path, "[0]"), list.node, list.mark));
  }
  for (size_t i = 0; i < list.node.size(); ++i) {
    const YAML::Node element = list.node[i];
    if (absl::Status s = visit(Child(list, absl::StrCat(list.path, "[", i, "]"),
                                     element, list.mark));
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> YamlReader::Scalar(
    const YamlValue& value, absl::string_view expected) const {
  if (value.node.IsNull()) {
    return Error(value, absl::StrCat("has no value; expected ", expected));
  }
  if (!value.node.IsScalar()) {
    return Error(value, absl::StrCat("expected ", expected, ", got ",
                                     Describe(value.node)));
  }
  return value.node.Scalar();
}

absl::StatusOr<std::string> YamlReader::Text(const YamlValue& value) const {
  return Scalar(value, "text");
}

absl::StatusOr<uint64_t> YamlReader::WholeNumber(const YamlValue& value,
                                                 uint64_t max) const {
  absl::StatusOr<std::string> text = Scalar(value, "a whole number");
  if (!text.ok()) return text.status();
  const bool digits =
      !text->empty() && std::all_of(text->begin(), text->end(), [](char c) {
        return absl::ascii_isdigit(c);
      });
  if (!digits) {
    double number = 0;
    if (absl::SimpleAtod(*text, &number) && number < 0) {
      return Error(value, absl::StrCat(QuoteValue(*text),
                                       " is negative; expected a whole "
                                       "number >= 0"));
    }
    return Error(value,
                 absl::StrCat(QuoteValue(*text), " is not a whole number"));
  }
  uint64_t number = 0;
  if (!absl::SimpleAtoi(*text, &number) || number > max) {
    return Error(value, absl::StrCat(QuoteValue(*text),
                                     " is larger than the maximum, ", max));
  }
  return number;
}

absl::StatusOr<uint32_t> YamlReader::Count(const YamlValue& value) const {
  absl::StatusOr<uint64_t> number =
      WholeNumber(value, std::numeric_limits<uint32_t>::max());
  if (!number.ok()) return number.status();
  return static_cast<uint32_t>(*number);
}

absl::StatusOr<uint64_t> YamlReader::Count64(const YamlValue& value) const {
  return WholeNumber(value, std::numeric_limits<uint64_t>::max());
}

absl::StatusOr<double> YamlReader::Number(const YamlValue& value) const {
  absl::StatusOr<std::string> text = Scalar(value, "a number");
  if (!text.ok()) return text.status();
  double number = 0;
  if (!absl::SimpleAtod(*text, &number) || !std::isfinite(number)) {
    return Error(value, absl::StrCat(QuoteValue(*text), " is not a number"));
  }
  return number;
}

absl::StatusOr<bool> YamlReader::Bool(const YamlValue& value) const {
  absl::StatusOr<std::string> text = Scalar(value, "true or false");
  if (!text.ok()) return text.status();
  if (*text == "true") return true;
  if (*text == "false") return false;
  return Error(value, absl::StrCat(QuoteValue(*text), " is not true or false"));
}

absl::StatusOr<google::protobuf::Duration> YamlReader::Duration(
    const YamlValue& value) const {
  absl::StatusOr<std::string> text = Scalar(value, "a duration such as 30s");
  if (!text.ok()) return text.status();
  absl::StatusOr<absl::Duration> d = ParseDurationText(*text);
  if (!d.ok()) return Error(value, d.status().message());
  return ToProto(*d);
}

}  // namespace scalebench::spec
