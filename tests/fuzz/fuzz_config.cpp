// The configuration parsers of both binaries, the way their main() runs
// them: a configuration file (one --name=value per line) and command-line
// arguments through common/options, then the probe's parse_probe_config (and
// its EAL arguments) or the collector's make_collector_config, with the
// values the collector parses later at start: each --blacklist
// (source_from_option), --notify (parse_endpoints) and --nft-command.
//
// Input: a selector byte (bit 0: collector, else probe; bit 1: the probe's
// DPDK form "EAL args -- file options", bits 2-3: how many of the arguments
// are EAL arguments), the file's text up to the first NUL,
// then the arguments, NUL-separated. The file is a memfd named by its
// /proc/self/fd path, as a real path would be.
//
// The contract is "std::invalid_argument with a one-line message" for bad
// input: any other exception escapes and is a finding. Inputs naming device
// or kernel files are skipped: --pcap-list=/dev/zero would read forever, and
// that is the administrator's own command line, not an attack.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "alert/notify_endpoint.hpp"
#include "blacklist/blacklist_manager.hpp"
#include "blacklist/blacklist_source.hpp"
#include "collector_config.hpp"
#include "config/probe_options.hpp"
#include "fuzz_input.hpp"
#include "options.hpp"

namespace {

std::string config_file(std::string_view text) {
    static const int fd = memfd_create("fuzz.conf", 0);
    FUZZ_CHECK(fd >= 0);
    FUZZ_CHECK(ftruncate(fd, 0) == 0);
    FUZZ_CHECK(pwrite(fd, text.data(), text.size(), 0) == static_cast<ssize_t>(text.size()));
    return "/proc/self/fd/" + std::to_string(fd);
}

void check_message(const std::invalid_argument& e) { FUZZ_CHECK(*e.what() != '\0'); }

void collector(const std::vector<std::string>& args) {
    using namespace wireflow::collector;
    collector_config cfg;
    try {
        cfg = make_collector_config(wireflow::parse_options(collector_option_specs(), args));
    } catch (const std::invalid_argument& e) {
        return check_message(e);
    }
    for (const auto& b : cfg.blacklists) {
        try {
            (void)blacklist::source_from_option(b);
        } catch (const std::invalid_argument& e) {
            check_message(e);
        }
    }
    try {
        (void)alert::parse_endpoints(cfg.notify);
    } catch (const std::invalid_argument& e) {
        check_message(e);
    }
    try {
        (void)blacklist::split_command(cfg.nft_command);
    } catch (const std::invalid_argument& e) {
        check_message(e);
    }
}

// args[0] is the file. The DPDK form puts the first `eal` arguments after
// it in front, as EAL arguments, then "--", the file and the rest.
void probe(const std::vector<std::string>& args, bool dpdk_form, std::size_t eal) {
    using namespace wireflow::probe;
    std::vector<std::string> argv{"wireflow-probe"};
    if (dpdk_form) {
        eal = std::min(eal, args.size() - 1);
        argv.insert(argv.end(), args.begin() + 1, args.begin() + 1 + static_cast<std::ptrdiff_t>(eal));
        argv.push_back("--");
        argv.push_back(args.front());
        argv.insert(argv.end(), args.begin() + 1 + static_cast<std::ptrdiff_t>(eal), args.end());
    } else {
        argv.insert(argv.end(), args.begin(), args.end());
    }
    try {
        const probe_config cfg = parse_probe_config(argv);
        if (!cfg.eal_args_given) (void)build_eal_args(cfg, "wireflow-probe", "fuzz", 2);
    } catch (const std::invalid_argument& e) {
        check_message(e);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view whole(reinterpret_cast<const char*>(data), size);
    for (const std::string_view risky : {"dev/", "proc/", "sys/", "fd/"})
        if (whole.find(risky) != std::string_view::npos) return -1;
    wireflow::fuzz::input in(data, size);
    const unsigned selector = in.u8();
    std::vector<std::string> args{config_file(in.until('\0'))};
    while (!in.empty()) args.emplace_back(in.until('\0'));
    if (selector & 1) collector(args);
    else probe(args, (selector & 2) != 0, selector >> 2 & 3);
    return 0;
}
