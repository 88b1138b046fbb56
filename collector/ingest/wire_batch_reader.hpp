#pragma once
// The common message, an Envelope holding one FlowBatch, read straight from
// protobuf's wire format into a flow_batch: no intermediate v1::FlowBatch, no
// string copied twice, each string checked for UTF-8 once (issue #11: the
// generated parser was 43 % of decode + aggregate, docs/benchmarks.md).
//
// It is a fast path, never a second definition of the protocol. It takes a
// message only when it can be sure the generated parser and decode_batch
// would make exactly the same flow_batch of it: the encoding a protobuf
// serializer writes (shortest varints, each sub-message and each non-empty
// string once per record; unknown fields of the four plain wire types, and
// known ones in another wire type, are skipped as the parser skips them)
// and every record passing
// decode_record, the same checks decode_batch runs. Anything else (another
// message, a group, a repeated sub-message that the parser would merge, a
// repeated string whose every copy the parser checks, a malformed or
// refused record) returns false, and the caller parses the
// message with the generated code as before, which gives the verdict and the
// reason a refusal sends back. fuzz_batch_decoder checks the equivalence.

#include <cstddef>
#include <span>

#include "model/flow_batch.hpp"

namespace wireflow::collector::ingest {

// true: `out` holds the batch (its records' storage reused, as decode_batch
// reuses it). false: `out` is unspecified; parse the message the slow way.
[[nodiscard]] bool read_lone_batch(std::span<const std::byte> bytes, flow_batch& out);

}  // namespace wireflow::collector::ingest
