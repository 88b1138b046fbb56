#include "schema.hpp"

#include <array>

namespace wireflow::collector::schema {
namespace {

// Conventions of the schema:
// - Times are timestamptz (UTC instants); where a record carries nanoseconds
//   the exact value is kept beside it as bigint (*_ns).
// - uint64 values from the wire (boot_id, flow_id, counters, flow_risk) are
//   stored bit-for-bit in bigint: exact identity, and the counters of a sane
//   probe never reach 2^63. uint32 values go to bigint so nothing is refused.
// - Packet-derived text is stored verbatim (ingest bounds it and checks UTF-8).
constexpr std::string_view v1 = R"SQL(
CREATE FUNCTION wf_ns_to_timestamptz(ns bigint) RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE
    -- integer microseconds: exact, unlike to_timestamp(double)
    AS $$ SELECT timestamptz 'epoch' + (ns / 1000) * interval '1 microsecond' $$;

-- One row per batch ever committed: batch-level de-duplication of re-sent
-- batches (the probes re-send until acknowledged: at-least-once).
CREATE TABLE ingested_batches (
    probe_id  text        NOT NULL,
    boot_id   bigint      NOT NULL,
    sequence  bigint      NOT NULL,
    records   integer     NOT NULL,
    stored_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (probe_id, boot_id, sequence)
);
CREATE INDEX ingested_batches_stored_at ON ingested_batches USING brin (stored_at);

-- Flow records, partitioned by day (UTC) of first_seen. Daily partitions are
-- created ahead by the collector; the DEFAULT partition takes records far in
-- the past or future so that no record is ever refused. Retention drops whole
-- daily partitions.
CREATE TABLE flows (
    probe_id         text        NOT NULL,
    boot_id          bigint      NOT NULL,
    batch_seq        bigint      NOT NULL,   -- sequence of the batch that carried the record
    flow_id          bigint      NOT NULL,   -- unique per (probe_id, boot_id); repeated by active-timeout records
    first_seen       timestamptz NOT NULL,   -- wf_ns_to_timestamptz(first_seen_ns): the partition key
    first_seen_ns    bigint      NOT NULL,
    last_seen        timestamptz NOT NULL,
    last_seen_ns     bigint      NOT NULL,
    vlan             bigint      NOT NULL,
    ip_version       smallint    NOT NULL,
    protocol         smallint    NOT NULL,   -- IP protocol number
    client_ip        inet        NOT NULL,
    client_port      integer     NOT NULL,
    server_ip        inet        NOT NULL,
    server_port      integer     NOT NULL,
    c2s_packets      bigint      NOT NULL,
    c2s_bytes        bigint      NOT NULL,   -- L3 bytes
    s2c_packets      bigint      NOT NULL,
    s2c_bytes        bigint      NOT NULL,
    c2s_tcp_flags    smallint    NOT NULL,
    s2c_tcp_flags    smallint    NOT NULL,
    end_reason       smallint    NOT NULL,   -- wireflow.v1.EndReason
    client_mac       macaddr,                -- NULL when the link layer had none
    server_mac       macaddr,
    app_protocol     bigint      NOT NULL,   -- nDPI protocol ids
    master_protocol  bigint      NOT NULL,
    app_name         text        NOT NULL,
    app_category     text        NOT NULL,
    server_name      text        NOT NULL,   -- packet-derived (SNI, Host, DNS query)
    flow_risk        bigint      NOT NULL,   -- nDPI risk bitmap
    client_blacklist text        NOT NULL DEFAULT '',
    server_blacklist text        NOT NULL DEFAULT '',
    ingested_at      timestamptz NOT NULL DEFAULT now()
) PARTITION BY RANGE (first_seen);

-- Record identity; first_seen is included because a unique index on a
-- partitioned table must contain the partition key (it is derived from
-- first_seen_ns, so the identity is unchanged). INSERT ... ON CONFLICT DO
-- NOTHING uses it to drop records re-sent inside a new batch.
CREATE UNIQUE INDEX flows_identity ON flows (probe_id, boot_id, flow_id, first_seen_ns, first_seen);
-- Dashboard: time range scans on append-mostly data: BRIN is tiny and enough.
CREATE INDEX flows_first_seen_brin ON flows USING brin (first_seen);
-- Dashboard: flows of a host, per side, newest first.
CREATE INDEX flows_client_ip_time ON flows (client_ip, first_seen);
CREATE INDEX flows_server_ip_time ON flows (server_ip, first_seen);
-- Dashboard: top applications / flows of an application over time.
CREATE INDEX flows_app_time ON flows (app_protocol, first_seen);
CREATE TABLE flows_default PARTITION OF flows DEFAULT;

-- Probes that ever reported statistics; last_stats is the latest ProbeStats.
CREATE TABLE probes (
    probe_id      text        PRIMARY KEY,
    boot_id       bigint      NOT NULL,          -- current run of the probe
    first_seen    timestamptz NOT NULL DEFAULT now(),
    last_seen     timestamptz NOT NULL DEFAULT now(),
    last_stats_at timestamptz,                   -- probe's own time of last_stats
    last_stats    jsonb,                         -- full ProbeStats (ports, workers, exporter)
    description   text        NOT NULL DEFAULT ''
);

-- ProbeStats time series: totals summed over ports and workers, with the
-- per-port and per-worker detail as jsonb. Re-sent stats are stored once.
CREATE TABLE probe_stats (
    probe_id          text        NOT NULL,
    boot_id           bigint      NOT NULL,
    time_ns           bigint      NOT NULL,
    ts                timestamptz NOT NULL,
    rx_packets        bigint      NOT NULL,   -- NIC counters, summed over ports
    rx_bytes          bigint      NOT NULL,
    imissed           bigint      NOT NULL,
    rx_nombuf         bigint      NOT NULL,
    ierrors           bigint      NOT NULL,
    packets           bigint      NOT NULL,   -- worker counters, summed
    ip_packets        bigint      NOT NULL,
    malformed_packets bigint      NOT NULL,
    flows_active      bigint      NOT NULL,
    flows_created     bigint      NOT NULL,
    records_exported  bigint      NOT NULL,
    ring_full_drops   bigint      NOT NULL,
    evictions         bigint      NOT NULL,
    batches_sent      bigint      NOT NULL,
    batches_acked     bigint      NOT NULL,
    batches_pending   bigint      NOT NULL,
    export_drops      bigint      NOT NULL,
    last_sequence     bigint      NOT NULL,
    uptime_ns         bigint      NOT NULL,
    ports             jsonb       NOT NULL,
    workers           jsonb       NOT NULL,
    PRIMARY KEY (probe_id, boot_id, time_ns)
);
CREATE INDEX probe_stats_probe_ts ON probe_stats (probe_id, ts);

-- Hosts seen in flows (filled by the aggregator), per (ip, vlan) as ntopng does.
CREATE TABLE hosts (
    ip              inet        NOT NULL,
    vlan            integer     NOT NULL DEFAULT 0,
    mac             macaddr,                 -- last MAC seen for the IP (local segment only)
    first_seen      timestamptz NOT NULL,
    last_seen       timestamptz NOT NULL,
    is_local        boolean     NOT NULL DEFAULT false,   -- inside --local-networks
    name            text        NOT NULL DEFAULT '',      -- observed name (DNS/DHCP/SNI): packet-derived
    bytes_sent      bigint      NOT NULL DEFAULT 0,
    bytes_rcvd      bigint      NOT NULL DEFAULT 0,
    packets_sent    bigint      NOT NULL DEFAULT 0,
    packets_rcvd    bigint      NOT NULL DEFAULT 0,
    flows_as_client bigint      NOT NULL DEFAULT 0,
    flows_as_server bigint      NOT NULL DEFAULT 0,
    blacklisted     text        NOT NULL DEFAULT '',      -- blacklist source names that list it
    PRIMARY KEY (ip, vlan)
);
CREATE INDEX hosts_last_seen ON hosts (last_seen);
CREATE INDEX hosts_mac ON hosts (mac) WHERE mac IS NOT NULL;

-- Host pools: named groups of hosts by network or MAC (ntopng's host pools).
CREATE TABLE pools (
    id          integer     GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text        NOT NULL UNIQUE,
    description text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE pool_members (
    id       integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pool_id  integer NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    kind     text    NOT NULL CHECK (kind IN ('cidr', 'mac')),
    member   text    NOT NULL,            -- "10.0.0.0/8", "2001:db8::/32" or "aa:bb:cc:dd:ee:ff"
    vlan     integer,                     -- NULL: any VLAN
    added_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX pool_members_unique ON pool_members (pool_id, kind, member, coalesce(vlan, -1));

-- Alerts: engaged while ended_at IS NULL, then past.
CREATE TABLE alerts (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type            text        NOT NULL,   -- e.g. 'blacklisted_host', 'probe_down', 'flow_risk'
    severity        text        NOT NULL CHECK (severity IN ('info', 'notice', 'warning', 'error', 'critical')),
    entity_type     text        NOT NULL,   -- 'host', 'flow', 'probe', 'pool', 'network', 'system'
    entity_id       text        NOT NULL,   -- e.g. '10.0.0.1@0', probe id, pool id
    started_at      timestamptz NOT NULL,
    ended_at        timestamptz,
    acknowledged    boolean     NOT NULL DEFAULT false,
    acknowledged_by text,
    acknowledged_at timestamptz,
    message         text        NOT NULL,
    details         jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX alerts_started_at ON alerts (started_at);
CREATE INDEX alerts_entity ON alerts (entity_type, entity_id, started_at);
CREATE INDEX alerts_engaged ON alerts (type, entity_type, entity_id) WHERE ended_at IS NULL;

-- User preferences and runtime settings (the UI's settings page).
CREATE TABLE preferences (
    key        text        PRIMARY KEY,
    value      jsonb       NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Web users. password_hash is a PHC string of argon2id (libsodium crypto_pwhash_str).
CREATE TABLE users (
    id                   integer     GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                 text        NOT NULL UNIQUE,
    role                 text        NOT NULL CHECK (role IN ('admin', 'viewer')),
    password_hash        text        NOT NULL,
    must_change_password boolean     NOT NULL DEFAULT true,
    disabled             boolean     NOT NULL DEFAULT false,
    created_at           timestamptz NOT NULL DEFAULT now(),
    last_login_at        timestamptz
);

-- Login sessions; only a hash of the cookie token is stored.
CREATE TABLE sessions (
    token_hash   bytea       PRIMARY KEY,
    user_id      integer     NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    last_used_at timestamptz NOT NULL DEFAULT now(),
    client_ip    inet,
    user_agent   text        NOT NULL DEFAULT ''
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX sessions_user ON sessions (user_id);

-- Bearer tokens for the REST API; only a hash is stored.
CREATE TABLE api_tokens (
    id           integer     GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      integer     NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text        NOT NULL,
    token_hash   bytea       NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked      boolean     NOT NULL DEFAULT false,
    UNIQUE (user_id, name)
);

-- IP/domain blacklists fetched periodically (e.g. FireHOL, abuse.ch).
CREATE TABLE blacklist_sources (
    id                 integer     GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name               text        NOT NULL UNIQUE,
    url                text        NOT NULL,
    format             text        NOT NULL DEFAULT 'ip-list' CHECK (format IN ('ip-list', 'cidr-list', 'domain-list')),
    enabled            boolean     NOT NULL DEFAULT true,
    refresh_interval_s integer     NOT NULL DEFAULT 86400 CHECK (refresh_interval_s > 0),
    last_fetch_at      timestamptz,
    last_success_at    timestamptz,
    last_error         text        NOT NULL DEFAULT '',
    entries            integer     NOT NULL DEFAULT 0
);

-- Per-minute time series for charts: metric (e.g. 'bytes', 'flows',
-- 'active_hosts'), scope ('global', 'host', 'probe', 'pool', 'app') and the
-- scope's id ('' for global). value is the figure for that minute.
CREATE TABLE timeseries (
    metric   text             NOT NULL,
    scope    text             NOT NULL,
    scope_id text             NOT NULL DEFAULT '',
    ts       timestamptz      NOT NULL CHECK (date_trunc('minute', ts) = ts),
    value    double precision NOT NULL,
    PRIMARY KEY (metric, scope, scope_id, ts)
);
CREATE INDEX timeseries_ts_brin ON timeseries USING brin (ts);

-- Hourly roll-up of timeseries for long ranges (kept longer than minutes).
CREATE TABLE timeseries_hourly (
    metric    text             NOT NULL,
    scope     text             NOT NULL,
    scope_id  text             NOT NULL DEFAULT '',
    ts        timestamptz      NOT NULL CHECK (date_trunc('hour', ts) = ts),
    samples   integer          NOT NULL,   -- minutes present in the hour
    sum_value double precision NOT NULL,
    min_value double precision NOT NULL,
    max_value double precision NOT NULL,
    PRIMARY KEY (metric, scope, scope_id, ts)
);
CREATE INDEX timeseries_hourly_ts_brin ON timeseries_hourly USING brin (ts);
)SQL";

// Blacklist sources as the manager knows them: any list format
// ("plain", "drop", "dshield", "csv:COLUMN", "auto"), a category, hit counts.
constexpr std::string_view v2 = R"SQL(
ALTER TABLE blacklist_sources DROP CONSTRAINT blacklist_sources_format_check;
ALTER TABLE blacklist_sources ALTER COLUMN format SET DEFAULT 'auto';
ALTER TABLE blacklist_sources ALTER COLUMN entries TYPE bigint;
ALTER TABLE blacklist_sources ADD COLUMN category text NOT NULL DEFAULT 'blacklist';
ALTER TABLE blacklist_sources ADD COLUMN hits bigint NOT NULL DEFAULT 0;
)SQL";

// The write path at the speed of a raw COPY (issue #11, docs/benchmarks.md).
// - flows_identity goes: exactly-once is the batch's. A batch is immutable
//   (the probe keeps it, in memory or in its spool, under its identity until
//   acknowledged), its identity enters ingested_batches in the transaction
//   that stores its rows, and a re-sent identity stores nothing; the unique
//   index cost a b-tree insert and a uniqueness check per record.
// - flows_app_time goes: no query reads flows by app_protocol (top
//   applications group the last minutes by ingested_at).
// - The two host b-trees, (client_ip, first_seen) and (server_ip,
//   first_seen), become one GIN index over both addresses. A b-tree insert
//   per record and address lands on a random leaf; GIN's fast update appends
//   the new entries to a pending list and merges them in sorted bulk, at
//   less than half the cost of the two b-trees (measured: docs/benchmarks.md).
//   "Flows of a host" asks ARRAY[client_ip, server_ip] @> ARRAY[host]; the
//   time range still prunes to the day partitions. The pending list is 16 MB
//   (default 4): merges four times larger cost about half as much per entry,
//   and a lookup reads the whole pending list of the day being written (tens
//   of milliseconds when full; ALTER INDEX ... SET per partition to trade).
// - ingested_at gets a BRIN index: the live views (flows of the last minutes,
//   top applications) filter on it, and rows are appended in ingest order, so
//   a few pages per partition replace a scan of every partition.
constexpr std::string_view v3 = R"SQL(
DROP INDEX IF EXISTS flows_identity;
DROP INDEX IF EXISTS flows_app_time;
DROP INDEX IF EXISTS flows_client_ip_time;
DROP INDEX IF EXISTS flows_server_ip_time;
CREATE INDEX IF NOT EXISTS flows_hosts_gin ON flows USING gin ((ARRAY[client_ip, server_ip]))
    WITH (gin_pending_list_limit = 16384);
CREATE INDEX IF NOT EXISTS flows_ingested_at_brin ON flows USING brin (ingested_at);
-- Statistics of the new index expression: without them the planner guesses
-- that a host matches 0.5 % of the rows and picks parallel scans (seconds
-- instead of milliseconds on 50M rows, docs/benchmarks.md). Samples only.
ANALYZE flows;
)SQL";

// TCP health and IP fields (issue 14). Every column is nullable and NULL
// means unknown: rows stored before this version, records of older probes,
// non-TCP flows (the tcp columns), a direction without packets (its TTLs).
// Adding nullable columns without a default only changes the catalog, so
// the migration takes no time on a large flows table. Counts are of the
// record's period (sum them over a flow's records); the RTT parts are the
// flow's, repeated in each of its records.
constexpr std::string_view v4 = R"SQL(
ALTER TABLE flows
    ADD COLUMN c2s_retransmissions bigint,   -- tcp.analysis.retransmission, client to server
    ADD COLUMN s2c_retransmissions bigint,
    ADD COLUMN c2s_out_of_order    bigint,   -- tcp.analysis.out_of_order
    ADD COLUMN s2c_out_of_order    bigint,
    ADD COLUMN c2s_zero_windows    bigint,   -- tcp.analysis.zero_window
    ADD COLUMN s2c_zero_windows    bigint,
    ADD COLUMN client_rtt_ns       bigint,   -- SYN/ACK -> ACK at the probe
    ADD COLUMN server_rtt_ns       bigint,   -- SYN -> SYN/ACK at the probe
    ADD COLUMN c2s_ttl_min         smallint, -- IPv4 TTL / IPv6 hop limit, outermost header
    ADD COLUMN c2s_ttl_max         smallint,
    ADD COLUMN s2c_ttl_min         smallint,
    ADD COLUMN s2c_ttl_max         smallint,
    ADD COLUMN dscp                smallint; -- RFC 2474, of the flow's first packet
)SQL";

// DNS flows (issue 14): the question's type, the response code and the
// first address answered. Constant defaults: PostgreSQL 11+ adds such
// columns without rewriting a partition. Older rows read as "not DNS".
constexpr std::string_view v5 = R"SQL(
ALTER TABLE flows ADD COLUMN IF NOT EXISTS dns_query_type integer  NOT NULL DEFAULT 0;
ALTER TABLE flows ADD COLUMN IF NOT EXISTS dns_reply_code smallint NOT NULL DEFAULT 0;
ALTER TABLE flows ADD COLUMN IF NOT EXISTS dns_answer     inet;
)SQL";

// Tunnelled flows (issue 14): the encapsulation, its id and the outer
// addresses on each side. Nullable without a default (NULL: not tunnelled,
// or stored before this version): only the catalog changes.
constexpr std::string_view v6 = R"SQL(
ALTER TABLE flows
    ADD COLUMN tunnel_type      smallint, -- wireflow.v1.TunnelType: 1 GRE, 2 ERSPAN, 3 VXLAN, 4 GTP-U, 5 IP in IP
    ADD COLUMN tunnel_id        bigint,   -- GRE key, ERSPAN session, VXLAN VNI, GTP-U TEID; 0 none
    ADD COLUMN tunnel_client_ip inet,     -- outer address on the client's side
    ADD COLUMN tunnel_server_ip inet;
)SQL";

// What nDPI read from the application layer: its confidence, the TLS
// handshake and the plain-HTTP exchange. Nullable without a default, like v6
// (only the catalog changes): NULL is "not seen" (no DPI, nothing read, a
// row stored before this version), never an empty string or a 0. Text is
// packet-derived and stored verbatim (ingest bounds it and checks UTF-8).
constexpr std::string_view v7 = R"SQL(
ALTER TABLE flows
    ADD COLUMN dpi_confidence  smallint,    -- wireflow.v1.DpiConfidence: 1 port, 2 IP, 3 DPI cache, 4 DPI
    ADD COLUMN tls_version     integer,     -- 0x0303 (771) TLS 1.2, 0x0304 TLS 1.3, 0xfeff DTLS 1.0 ...
    ADD COLUMN ja3_client      text,        -- JA3 of the ClientHello: 32 lower-case hex digits
    ADD COLUMN ja3_server      text,        -- JA3S of the ServerHello
    ADD COLUMN tls_alpn        text,        -- ALPN protocols the client offered, comma-separated
    ADD COLUMN cert_subject    text,        -- the server certificate's subject DN
    ADD COLUMN cert_issuer     text,
    ADD COLUMN cert_not_before timestamptz,
    ADD COLUMN cert_not_after  timestamptz,
    ADD COLUMN cert_sha1       bytea,       -- 20 bytes
    ADD COLUMN http_method     text,
    ADD COLUMN http_url        text,        -- Host + path
    ADD COLUMN http_user_agent text,
    ADD COLUMN http_status     smallint;    -- 100..599
)SQL";

// Geolocation of both sides (issue 14): country and AS number as the
// collector's databases answered when the record was stored (collector/geo).
// Nullable without a default, like v6 and v7 (only the catalog changes):
// NULL is unknown (a private address, no database, a row stored before this
// version). AS numbers are 32-bit unsigned (RFC 6793): bigint, since
// integer stops at 2^31 - 1.
constexpr std::string_view v8 = R"SQL(
ALTER TABLE flows
    ADD COLUMN client_country text,    -- ISO 3166-1 alpha-2, upper case: 'DE'
    ADD COLUMN client_asn     bigint,  -- 1..4294967295
    ADD COLUMN server_country text,
    ADD COLUMN server_asn     bigint;
)SQL";

// The live views' bound (issue 11): the oldest first_seen of a batch's
// records, NULL for a batch without records and for those stored before
// this version. A row's ingested_at is its batch's stored_at (both now() of
// the writing transaction), so the live views (ingested_at in the last
// minutes, over every partition) add first_seen >= the oldest of the
// batches stored in their window, and the planner keeps only the partitions
// from there on (flow_query.cpp). Nullable, no default: only the catalog
// changes.
constexpr std::string_view v9 = R"SQL(
ALTER TABLE ingested_batches ADD COLUMN first_seen_min timestamptz;
)SQL";

// Segments (issue 11, flow_segments.hpp): no host index on the rows being
// written. The GIN of both hosts goes from `flows` (a partitioned index
// would be built on every new partition, the segment being written too);
// each leaf partition gets two host b-trees of its own when it is sealed,
// built in one sorted pass each. flow_segments lists the leaves and which
// are sealed. The leaves of an older version (its day partitions, the
// default partition) are listed unsealed with an empty range ('-infinity'),
// so the collector builds their b-trees in the background, CONCURRENTLY;
// until it has, a host lookup in them scans them. Days created from this
// version on are partitioned by ingested_at (partitions.cpp).
constexpr std::string_view v10 = R"SQL(
DROP INDEX IF EXISTS flows_hosts_gin;
CREATE TABLE flow_segments (
    name      text        PRIMARY KEY,  -- a leaf partition of flows
    day       text        NOT NULL,     -- its parent: flows_pYYYYMMDD, or flows
    starts    timestamptz NOT NULL,     -- its range of ingested_at: [starts, ends)
    ends      timestamptz NOT NULL,
    sealed_at timestamptz               -- host b-trees built; NULL while not
);
CREATE INDEX flow_segments_day ON flow_segments (day, ends);
INSERT INTO flow_segments (name, day, starts, ends)
SELECT c.relname, p.relname, '-infinity', '-infinity'
FROM pg_partition_tree('flows') t
JOIN pg_class c ON c.oid = t.relid
JOIN pg_class p ON p.oid = t.parentrelid
WHERE t.isleaf;
)SQL";

// One index on the segment being written (issue 11): a BRIN costs a COPY
// ~0.3 us a row per index, whatever its ranges, so v10's open segment with
// three (the time BRINs of `flows` and its Bloom filter) wrote at ~0.7 of a
// raw COPY, one BRIN of the four columns at 0.82-0.90 (docs/benchmarks.md).
// The time BRINs come off `flows` (a partitioned index is built on every
// new leaf); each leaf gets its own: the open segment one BRIN of
// first_seen, ingested_at and both hosts (flow_segments.cpp), a sealed one
// or a day's default partition a BRIN of both times beside its host
// b-trees. Every leaf sealed before is listed to be sealed again (its
// b-trees stay: IF NOT EXISTS), which adds the time BRIN; until then its
// time-range queries scan it.
constexpr std::string_view v11 = R"SQL(
DROP INDEX IF EXISTS flows_first_seen_brin;
DROP INDEX IF EXISTS flows_ingested_at_brin;
UPDATE flow_segments SET sealed_at = NULL;
INSERT INTO flow_segments (name, day, starts, ends)
SELECT c.relname, p.relname, '-infinity', '-infinity'
FROM pg_partition_tree('flows') t
JOIN pg_class c ON c.oid = t.relid
JOIN pg_class p ON p.oid = t.parentrelid
WHERE t.isleaf
ON CONFLICT (name) DO NOTHING;
-- The segments being written lose their time BRINs with the parent's: a
-- time BRIN now, so the live views keep reading only their last ranges.
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT name FROM flow_segments WHERE starts > '-infinity' AND ends > now() AND to_regclass(name) IS NOT NULL LOOP
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I USING brin (first_seen, ingested_at)', r.name || '_times', r.name);
  END LOOP;
END $$;
)SQL";

constexpr std::array<migration, 11> all{{
    {1, "initial schema: flows (partitioned), batches, probes, hosts, pools, alerts, users, time series", v1},
    {2, "blacklist_sources: any list format, category, hits", v2},
    {3, "flows: batch identity alone de-duplicates (no record index), one GIN index of both hosts, BRIN on ingested_at", v3},
    {4, "flows: TCP health (retransmissions, out-of-order, zero windows, handshake RTT parts), TTL ranges, DSCP", v4},
    {5, "flows: DNS query type, response code and first answered address", v5},
    {6, "flows: tunnel type, id and outer addresses of tunnelled flows", v6},
    {7, "flows: nDPI confidence, TLS handshake (version, JA3/JA3S, ALPN, certificate) and HTTP request details", v7},
    {8, "flows: country and AS number of client and server (geolocation)", v8},
    {9, "ingested_batches: oldest first_seen of a batch's records (the live views' bound)", v9},
    {10, "flows: days segmented by ingested_at, no host index while written, host b-trees built per sealed segment", v10},
    {11, "flows: one BRIN of times and hosts on the segment being written; time BRINs per leaf, built when sealed", v11},
}};

}  // namespace

std::span<const migration> migrations() noexcept { return all; }

}  // namespace wireflow::collector::schema
