#include "coordinator/store/store_rows.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "common/proto_time.h"

namespace scalebench::coordinator::internal {

std::string Serialize(const google::protobuf::MessageLite& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return out;
}

google::protobuf::Timestamp MicrosToProto(int64_t micros) {
  return TimeToProto(absl::FromUnixMicros(micros));
}

}  // namespace scalebench::coordinator::internal
