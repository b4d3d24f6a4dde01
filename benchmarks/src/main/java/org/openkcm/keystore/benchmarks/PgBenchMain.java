package org.openkcm.keystore.benchmarks;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.openkcm.keystore.api.CreateKeyRequest;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.core.internal.backend.BenchPlugins;
import org.openkcm.keystore.core.internal.backend.PluginManager;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.crypto.LocalRootKeyProvider;
import org.openkcm.keystore.core.internal.crypto.ThreadCrypto;
import org.openkcm.keystore.core.internal.keys.CryptoKeyService;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.postgres.internal.BenchPostgres;
import org.openkcm.keystore.postgres.testing.PostgresServer;
import org.openkcm.keystore.spi.Keystore;

/**
 * Benchmarks against a real local PostgreSQL (loopback, free port, default durability: fsync and
 * synchronous_commit on), started here through the test harness and stopped at the end. At 1 and 8
 * callers, closed loop: retrieve through the core (L3 cache off: every open is one SELECT + unwrap,
 * via the plugin manager's worker pool and deadline) vs the same SELECT on a bare JDBC connection
 * per caller; store through the core (an L3 create: key generation, wrap under the L2, one INSERT)
 * vs the same INSERT on bare JDBC; L3 creates at 8 callers with p95. Prints a table and {@code
 * RESULT} lines. Core and bare alternate in three rounds per figure; {@code --inline} calls
 * PostgreSQL on the caller's thread. Arguments: {@code --load-warmup-ms N} (default 1000), {@code
 * --load-ms N} (default 3000) per round.
 */
public final class PgBenchMain {
  private static final String SCHEMA = "bench";
  private static final int L3_COUNT = 256;
  private static final int ROUNDS = 3;

  private PgBenchMain() {}

  public static void main(String[] args) throws Exception {
    long warmup = longArg(args, "--load-warmup-ms", 1000);
    long measure = longArg(args, "--load-ms", 3000);
    LoadDriver driver = new LoadDriver(warmup, measure);
    PostgresServer pg = PostgresServer.start();
    Thread stopper = new Thread(pg::close, "stop-postgres");
    Runtime.getRuntime().addShutdownHook(stopper);
    System.out.println(
        "PostgreSQL "
            + pg.jdbcUrl()
            + " ("
            + PostgresServer.findBinaries()
            + ", fsync on); load average "
            + BaoBenchMain.loadAverage());
    Keystore postgres =
        BenchPostgres.keystore(pg.jdbcUrl(), pg.user(), pg.passwordFile().toString(), SCHEMA, 16);
    InMemoryKeystore memory = new InMemoryKeystore("inmemory", 1_000_000);
    Map<String, Keystore> backends = new LinkedHashMap<>();
    backends.put("postgres", postgres);
    backends.put("inmemory", memory);
    // --inline: PostgreSQL called on the caller's thread (plugins.inlineBackends: [inmemory,
    // postgres]), a reference:
    // by default the core hands every call to the backend's worker pool to enforce its deadline
    boolean inline = List.of(args).contains("--inline");
    String[] rules = {"tier=L2,L3 -> postgres", "tier=L4 -> inmemory"};
    PluginManager plugins =
        inline
            ? BenchPlugins.startRouted(rules, backends, "inmemory", "postgres")
            : BenchPlugins.startRouted(rules, backends);
    System.out.println(
        inline
            ? "postgres called inline (no worker hand-off)"
            : "default plugin settings (worker pool + deadline)");
    String masterKey = Base64.getEncoder().encodeToString(ThreadCrypto.randomBytes(32));
    LocalRootKeyProvider root = new LocalRootKeyProvider(Path.of("unused.key"), n -> masterKey);
    CryptoKeyService service =
        new CryptoKeyService(
            plugins,
            root,
            new KeyCache(
                CacheSettings.defaults().with(KeyTier.L3, CacheSettings.policy(0, 1, 1, false))));
    List<LoadDriver.Result> results = new ArrayList<>();
    try {
      KeyMetadata l2 =
          service.create(CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("bench")).build());
      CreateKeyRequest l3Request =
          CreateKeyRequest.builder(KeyTier.L3, Owner.service("bench")).parentId(l2.id()).build();
      KeyRef[] l3s = new KeyRef[L3_COUNT];
      for (int i = 0; i < L3_COUNT; i++) {
        l3s[i] = service.create(l3Request).ref();
      }
      int sealedLength = postgres.retrieve(l3s[0]).sealedLength();
      Bare bare = new Bare(pg, 8);
      try {
        // core and bare alternate in ROUNDS short windows, so a change in machine load hits both
        // alike
        for (int callers : new int[] {1, 8}) {
          for (int round = 0; round < ROUNDS; round++) {
            int r = round;
            results.add(
                driver.run(
                    "bare JDBC retrieve",
                    callers,
                    (c, n) -> bare.select(c, l3s[spread(c, n, L3_COUNT)])));
            results.add(
                driver.run(
                    "core retrieve L3",
                    callers,
                    (c, n) -> {
                      try (KeyHandle h = service.open(l3s[spread(c, n, L3_COUNT)])) {
                        h.metadata();
                      }
                    }));
            results.add(
                driver.run(
                    "(ref) backend retrieve alone",
                    callers,
                    (c, n) -> postgres.retrieve(l3s[spread(c, n, L3_COUNT)])));
            results.add(
                driver.run(
                    "bare JDBC store",
                    callers,
                    (c, n) ->
                        bare.insert(
                            c, "bare-" + callers + "-" + r + "-" + c + "-" + n, sealedLength)));
            results.add(
                driver.run("core store (create L3)", callers, (c, n) -> service.create(l3Request)));
          }
        }
      } finally {
        bare.close();
      }
    } finally {
      service.close();
      BenchPlugins.stop(plugins);
      BenchPostgres.close(postgres);
      root.close();
      memory.close();
      pg.close();
      Runtime.getRuntime().removeShutdownHook(stopper);
    }
    report(results);
  }

  private static void report(List<LoadDriver.Result> results) {
    System.out.println();
    System.out.println(
        "| operation | callers | round | calls | errors | ops/s | p50 ms | p95 ms | p99 ms |");
    System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    Map<String, Integer> rounds = new LinkedHashMap<>();
    for (LoadDriver.Result r : results) {
      int round = rounds.merge(r.op() + "/" + r.callers(), 1, Integer::sum);
      System.out.printf(
          "| %s | %d | %d | %,d | %d | %,.0f | %.2f | %.2f | %.2f |%n",
          r.op(),
          r.callers(),
          round,
          r.calls(),
          r.errors(),
          r.opsPerSecond(),
          r.p50Ms(),
          r.p95Ms(),
          r.p99Ms());
      if (r.firstError() != null) {
        System.out.println("  first error: " + r.firstError());
      }
    }
    System.out.println();
    for (int callers : new int[] {1, 8}) {
      System.out.printf(
          "RESULT pg_retrieve_vs_jdbc_%d %.3f%n",
          callers,
          ops(results, "core retrieve L3", callers) / ops(results, "bare JDBC retrieve", callers));
    }
    for (int callers : new int[] {1, 8}) {
      System.out.printf(
          "RESULT pg_store_vs_jdbc_%d %.3f%n",
          callers,
          ops(results, "core store (create L3)", callers)
              / ops(results, "bare JDBC store", callers));
    }
    for (int callers : new int[] {1, 8}) {
      System.out.printf(
          "(reference) backend retrieve alone / bare JDBC, %d caller(s): %.3f%n",
          callers,
          ops(results, "(ref) backend retrieve alone", callers)
              / ops(results, "bare JDBC retrieve", callers));
    }
    System.out.printf(
        "RESULT pg_create_l3_ops_8 %.0f%n", ops(results, "core store (create L3)", 8) / ROUNDS);
    System.out.printf(
        "RESULT pg_create_l3_p95_ms_8 %.2f%n",
        results.stream()
            .filter(r -> r.op().equals("core store (create L3)") && r.callers() == 8)
            .mapToDouble(LoadDriver.Result::p95Ms)
            .max()
            .orElse(0));
    System.out.println(
        "(ratios: summed ops/s over the rounds; create ops/s: mean of the rounds; p95: worst round)");
    System.out.println("targets: ratios >= 0.8; pg_create_l3_ops_8 >= 2000 with p95 < 20 ms");
    System.out.println("load average after the run: " + BaoBenchMain.loadAverage());
  }

  /**
   * @return ops/s summed over the rounds
   */
  private static double ops(List<LoadDriver.Result> results, String op, int callers) {
    return results.stream()
        .filter(r -> r.op().equals(op) && r.callers() == callers)
        .mapToDouble(LoadDriver.Result::opsPerSecond)
        .sum();
  }

  private static int spread(int caller, long n, int size) {
    return (int) ((caller * 7919L + n * 31L) % size);
  }

  private static long longArg(String[] args, String name, long dflt) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return Long.parseLong(args[i + 1]);
      }
    }
    return dflt;
  }

  /**
   * The baseline: one plain pgjdbc connection per caller, the backend's own statements, prepared
   * once.
   */
  private static final class Bare implements AutoCloseable {
    private final Connection[] connections;
    private final PreparedStatement[] selects;
    private final PreparedStatement[] inserts;

    Bare(PostgresServer pg, int callers) throws SQLException {
      connections = new Connection[callers];
      selects = new PreparedStatement[callers];
      inserts = new PreparedStatement[callers];
      Properties p = new Properties();
      p.setProperty("user", pg.user());
      p.setProperty("password", pg.password());
      for (int i = 0; i < callers; i++) {
        connections[i] = DriverManager.getConnection(pg.jdbcUrl(), p);
        selects[i] = connections[i].prepareStatement(BenchPostgres.selectSql(SCHEMA));
        inserts[i] = connections[i].prepareStatement(BenchPostgres.insertSql(SCHEMA));
      }
    }

    void select(int caller, KeyRef ref) throws SQLException {
      PreparedStatement ps = selects[caller];
      ps.setString(1, ref.id());
      ps.setInt(2, ref.version());
      try (ResultSet r = ps.executeQuery()) {
        if (!r.next()) {
          throw new SQLException("no row for " + ref);
        }
        for (int col = 1; col <= 14; col++) {
          r.getString(col);
        }
        r.getLong(15);
        r.getBytes(16);
      }
    }

    void insert(int caller, String id, int sealedLength) throws SQLException {
      PreparedStatement ps = inserts[caller];
      OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
      ps.setString(1, id);
      ps.setInt(2, 1);
      ps.setString(3, "L3");
      ps.setString(4, "SERVICE");
      ps.setString(5, "bench");
      ps.setString(6, "AES");
      ps.setInt(7, 256);
      ps.setString(8, "ACTIVE");
      ps.setObject(9, now);
      ps.setObject(10, now);
      ps.setNull(11, Types.TIMESTAMP_WITH_TIMEZONE);
      ps.setString(12, "parent");
      ps.setInt(13, 1);
      ps.setString(14, "{}");
      ps.setBytes(15, ThreadCrypto.randomBytes(sealedLength));
      ps.executeUpdate();
    }

    @Override
    public void close() throws SQLException {
      for (Connection c : connections) {
        c.close();
      }
    }
  }
}
