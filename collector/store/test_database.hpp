#pragma once
// Test support (not linked into the collector): a real PostgreSQL server for a
// test run and a fresh database per test case, for Catch2 tests of classes
// that use db_pool or store. The server is WIREFLOW_TEST_PG when set
// (deploy/test.sh), else a throw-away cluster started with
// $WIREFLOW_SOURCE/tests/support/pgcluster.py, the one way the project starts
// PostgreSQL (meson test sets WIREFLOW_SOURCE for every test).

#include "store/schema.hpp"
#include "store/store.hpp"

#include <pqxx/pqxx>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

extern char** environ;

namespace wireflow::collector::testing {

class test_server {
public:
    test_server() {
        if (const char* env = std::getenv("WIREFLOW_TEST_PG"); env && *env) {
            dsn_ = env;
            return;
        }
        const char* source = std::getenv("WIREFLOW_SOURCE");
        if (source == nullptr || *source == '\0')
            throw std::runtime_error("no PostgreSQL: set WIREFLOW_TEST_PG, or WIREFLOW_SOURCE to find pgcluster.py");
        char path[] = "/tmp/wireflow-pg-test-XXXXXX";
        const int fd = mkstemp(path);
        if (fd < 0) throw std::runtime_error("mkstemp failed");
        close(fd);
        file_ = path;
        const std::string script = std::string(source) + "/tests/support/pgcluster.py";
        const char* argv[] = {"/usr/bin/python3", script.c_str(), "serve", file_.c_str(), nullptr};
        if (posix_spawn(&child_, argv[0], nullptr, nullptr, const_cast<char**>(argv), environ) != 0)
            throw std::runtime_error("cannot start " + script);
        for (int i = 0; i < 1200 && dsn_.empty(); ++i) {
            std::ifstream in(file_);
            std::string line;
            if (std::getline(in, line) && !line.empty() && in.good()) dsn_ = line;
            else std::this_thread::sleep_for(std::chrono::milliseconds(100));
            int status = 0;
            if (dsn_.empty() && waitpid(child_, &status, WNOHANG) == child_) {
                child_ = -1;
                break;
            }
        }
        if (dsn_.empty())
            throw std::runtime_error("no PostgreSQL: WIREFLOW_TEST_PG unset and pgcluster.py did not start one");
    }
    ~test_server() {
        if (child_ > 0) {
            kill(child_, SIGTERM);
            int status = 0;
            waitpid(child_, &status, 0);
        }
        if (!file_.empty()) unlink(file_.c_str());
    }
    test_server(const test_server&) = delete;
    test_server& operator=(const test_server&) = delete;
    [[nodiscard]] const std::string& dsn() const { return dsn_; }

private:
    std::string dsn_;
    std::string file_;
    pid_t child_ = -1;
};

inline const test_server& server() {
    static test_server s;
    return s;
}

// A fresh database (migrated when `migrate`), dropped at the end of the test case.
class test_database {
public:
    explicit test_database(bool migrate = true) {
        std::random_device rd;
        std::ostringstream name;
        name << "wf_test_" << std::hex << rd() << rd();
        name_ = name.str();
        {
            pqxx::connection c{admin_dsn()};
            pqxx::nontransaction tx{c};
            tx.exec0("CREATE DATABASE " + tx.quote_name(name_));
        }
        if (migrate) store{dsn()}.migrate();
    }
    ~test_database() {
        try {
            pqxx::connection c{admin_dsn()};
            pqxx::nontransaction tx{c};
            tx.exec0("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
        } catch (const std::exception&) {
        }
    }
    test_database(const test_database&) = delete;
    test_database& operator=(const test_database&) = delete;
    [[nodiscard]] std::string dsn() const { return server().dsn() + " dbname=" + name_; }
    [[nodiscard]] const std::string& name() const { return name_; }
    // A plain connection to look at the database from outside.
    [[nodiscard]] pqxx::connection connect() const { return pqxx::connection{dsn()}; }
    // Brings the schema to `version` as a collector of that version left it
    // (its migrations applied and recorded), to test the later ones on it.
    void migrate_to(int version) const {
        pqxx::connection c{dsn()};
        pqxx::work tx{c};
        tx.exec0("CREATE TABLE schema_migrations (version integer PRIMARY KEY, description text NOT NULL,"
                 " applied_at timestamptz NOT NULL DEFAULT now())");
        for (const auto& m : schema::migrations()) {
            if (m.version > version) break;
            tx.exec0(std::string(m.sql));
            tx.exec_params0("INSERT INTO schema_migrations (version, description) VALUES ($1, $2)", m.version,
                            std::string(m.description));
        }
        tx.commit();
    }
    // Terminates every other session of this database (simulates a server restart for clients).
    void kill_sessions() const {
        pqxx::connection c{admin_dsn()};
        pqxx::nontransaction tx{c};
        tx.exec_params("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                       name_);
    }

private:
    static std::string admin_dsn() { return server().dsn() + " dbname=postgres"; }
    std::string name_;
};

}  // namespace wireflow::collector::testing
