#pragma once
// The one error of the data layer (collector/store throws it; the REST API
// answers 503 for `unavailable`, 400 for `rejected`).
//   kind::unavailable  the server is unreachable, restarting, or the commit's
//                      outcome is unknown: retry later.
//   kind::rejected     the server refused the data itself (SQLSTATE class 22
//                      or 23): retrying the same call fails again.

#include <stdexcept>
#include <string>

namespace wireflow::collector {

class store_error : public std::runtime_error {
public:
    enum class kind { unavailable, rejected };
    store_error(kind k, const std::string& what) : std::runtime_error(what), kind_(k) {}
    [[nodiscard]] kind which() const noexcept { return kind_; }
    [[nodiscard]] bool retryable() const noexcept { return kind_ == kind::unavailable; }
private:
    kind kind_;
};

}  // namespace wireflow::collector
