#include "dissect/packet_summary.hpp"

namespace wireflow::probe {

// In a translation unit of its own on purpose: where the compiler sees this
// object's (nearly all-zero) value, it turns a copy of it back into a clear,
// which GCC does with `rep stos` (see packet_summary.hpp).
const packet_summary blank_summary{};

}  // namespace wireflow::probe
