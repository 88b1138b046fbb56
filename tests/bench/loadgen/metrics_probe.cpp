#include "metrics_probe.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <sstream>

namespace wireflow::bench {

std::map<std::string, std::uint64_t> scrape_metrics(const std::string& host_port) {
    std::map<std::string, std::uint64_t> out;
    const auto colon = host_port.rfind(':');
    if (colon == std::string::npos) return out;
    const std::string host = host_port.substr(0, colon), port = host_port.substr(colon + 1);
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* ai = nullptr;
    if (getaddrinfo(host.c_str(), port.c_str(), &hints, &ai) != 0 || ai == nullptr) return out;
    const int fd = ::socket(ai->ai_family, ai->ai_socktype, 0);
    const bool connected = fd >= 0 && ::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0;
    freeaddrinfo(ai);
    if (!connected) {
        if (fd >= 0) ::close(fd);
        return out;
    }
    // HTTP/1.0: the server closes after the answer, so reading to EOF is the whole body.
    const std::string req = "GET /metrics HTTP/1.0\r\nHost: " + host_port + "\r\n\r\n";
    std::string answer;
    if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
        char buf[16384];
        ssize_t n;
        while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) answer.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    std::istringstream in(answer);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#' || line.find('{') != std::string::npos) continue;
        const auto sp = line.find(' ');
        if (sp == std::string::npos) continue;
        out[line.substr(0, sp)] = std::strtoull(line.c_str() + sp + 1, nullptr, 10);
    }
    return out;
}

spool_watch::spool_watch(std::string host_port) : host_port_(std::move(host_port)) {
    if (host_port_.empty()) return;
    thread_ = std::thread([this] {
        while (!stop_) {
            const auto m = scrape_metrics(host_port_);
            if (!m.empty()) {
                ++scrapes_;
                auto raise = [&](std::atomic<std::uint64_t>& max, const char* name) {
                    const auto it = m.find(name);
                    if (it != m.end() && it->second > max.load()) max = it->second;
                };
                raise(max_bytes_, "wireflow_spool_bytes");
                raise(max_batches_, "wireflow_spool_batches");
            }
            for (int i = 0; i < 5 && !stop_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    });
}

spool_watch::~spool_watch() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
}

}  // namespace wireflow::bench
