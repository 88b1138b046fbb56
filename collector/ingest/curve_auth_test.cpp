#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "curve_auth.hpp"
#include "net/curve_key_file.hpp"

using namespace wireflow::collector::ingest;
namespace net = wireflow::net;

namespace {

// Sends "ping" from a DEALER with `client` keys; true when the CURVE ROUTER
// received it (the ZAP handler admitted the key) within a second.
// The User-Id the router saw on the last message (empty when none).
std::string last_user_id;

bool router_hears(zmq::context_t& ctx, zmq::socket_t& router, const std::string& endpoint,
                  const net::curve_keypair& server, const net::curve_keypair& client) {
    zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
    dealer.set(zmq::sockopt::linger, 0);
    dealer.set(zmq::sockopt::curve_serverkey, server.public_key);
    dealer.set(zmq::sockopt::curve_publickey, client.public_key);
    dealer.set(zmq::sockopt::curve_secretkey, client.secret_key);
    dealer.connect(endpoint);
    dealer.send(zmq::str_buffer("ping"), zmq::send_flags::none);
    zmq::pollitem_t item{router.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, std::chrono::milliseconds(1000)) == 0) return false;
    zmq::message_t id, body;
    (void)router.recv(id);
    (void)router.recv(body);
    last_user_id = body.gets("User-Id");
    return body.to_string_view() == "ping";
}

}  // namespace

TEST_CASE("only probes whose public key is listed reach a CURVE collector", "[curve_auth]") {
    zmq::context_t ctx;
    const auto server = net::generate_curve_keypair();
    const auto allowed = net::generate_curve_keypair();
    const auto stranger = net::generate_curve_keypair();
    zap_handler zap(ctx, {allowed.public_key});
    zmq::socket_t router(ctx, zmq::socket_type::router);
    router.set(zmq::sockopt::linger, 0);
    router.set(zmq::sockopt::curve_server, 1);
    router.set(zmq::sockopt::curve_secretkey, server.secret_key);
    router.bind("tcp://127.0.0.1:*");
    const auto endpoint = router.get(zmq::sockopt::last_endpoint);

    CHECK(router_hears(ctx, router, endpoint, server, allowed));
    CHECK(last_user_id == allowed.public_key);  // what may_use_probe_id looks up
    CHECK_FALSE(router_hears(ctx, router, endpoint, server, stranger));
    CHECK(zap.allowed() >= 1);
    CHECK(zap.denied() >= 1);
}

TEST_CASE("the collector reads its key files with the common rules", "[curve_auth]") {
    const auto pair = net::generate_curve_keypair();
    const auto dir = std::filesystem::temp_directory_path() / ("wf-curve-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto write = [&](const char* name, const std::string& text) {
        std::ofstream(dir / name) << text;
        return (dir / name).string();
    };
    CHECK(read_curve_secret_key(write("secret", "# secret key\n" + pair.secret_key + "\n")) == pair.secret_key);
    CHECK(read_curve_secret_key(write("pair", "# public key\n" + pair.public_key + "\n# secret key\n" +
                                                  pair.secret_key + "\n")) == pair.secret_key);
    const auto other = net::generate_curve_keypair();
    CHECK_THROWS_AS(read_curve_secret_key(write("mismatch", other.public_key + "\n" + pair.secret_key + "\n")),
                    std::invalid_argument);
    CHECK_THROWS_AS(read_curve_secret_key(write("three", pair.public_key + "\n" + pair.secret_key + "\n" +
                                                             pair.secret_key + "\n")),
                    std::invalid_argument);
    const auto other_probe = net::generate_curve_keypair();
    const auto list = read_curve_allow_list(
        write("allow", "# probes\n" + other.public_key + " paris\n" + other_probe.public_key + " probes=lyon-1"));
    REQUIRE(list.size() == 2);
    CHECK(list.at(other.public_key).empty());
    CHECK(list.at(other_probe.public_key) == std::set<std::string>{"lyon-1"});
    CHECK_THROWS_AS(read_curve_allow_list((dir / "missing").string()), std::invalid_argument);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a bound key may use only its probe ids, an unbound key any, an unknown key none", "[curve_auth]") {
    net::curve_allow_list list;
    list["K-bound"] = {"paris-1", "paris-2"};
    list["K-old"] = {};
    CHECK(may_use_probe_id(list, "K-bound", "paris-2"));
    CHECK_FALSE(may_use_probe_id(list, "K-bound", "lyon-1"));
    CHECK(may_use_probe_id(list, "K-old", "lyon-1"));
    CHECK_FALSE(may_use_probe_id(list, "K-stranger", "paris-1"));
    CHECK_FALSE(may_use_probe_id(list, "", "paris-1"));
}
