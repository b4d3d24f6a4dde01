package org.openkcm.keystore.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openkcm.keystore.api.CreateKeyRequest;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Owner;

/**
 * The concurrency part, each operation at 1, 8 and 32 callers: retrieve (L3 cache off: every call
 * is a KV read) and create (an L3, stored on OpenBao) through the core; the bare client's KV reads
 * and writes on the same server as floors; L4 creates (kept off OpenBao by the default routing) as
 * a reference.
 */
final class LoadPhases {
  private static final int[] CALLERS = {1, 8, 32};
  private static final int MAX_CALLERS = 32;
  private static final int KEYS = 256;
  private static final int ROUNDS = 4;
  private final LoadDriver driver;
  private final List<LoadDriver.Result> out = new ArrayList<>();

  private LoadPhases(LoadDriver driver) {
    this.driver = driver;
  }

  static List<LoadDriver.Result> run(long warmupMillis, long measureMillis) throws Exception {
    LoadPhases p = new LoadPhases(new LoadDriver(warmupMillis, measureMillis));
    p.againstFloors();
    p.l4();
    return p.out;
  }

  /**
   * The core's retrieve and create against the bare client's reads and writes on the same server,
   * at each concurrency in alternating rounds ({@link LoadDriver#alternate}), so that their ratios
   * hold on a machine whose other load varies during the run.
   */
  private void againstFloors() throws Exception {
    CacheSettings l3Off =
        CacheSettings.defaults().with(KeyTier.L3, CacheSettings.policy(0, 1, 1, false));
    try (BaoEnv env = new BaoEnv(l3Off, KEYS);
        BareClient bare = new BareClient(BaoEnv.address(), BaoEnv.token())) {
      String[] paths = new String[env.l3s.length];
      for (int i = 0; i < paths.length; i++) {
        paths[i] = env.driverPath(env.l3s[i]);
      }
      List<LoadDriver.Result> cores = new ArrayList<>();
      List<LoadDriver.Result> floors = new ArrayList<>();
      againstFloor(
          "retrieve L3 (cache off)",
          (c, n) -> {
            try (KeyHandle h = env.service.open(env.l3s[disjoint(c, n)])) {
              h.metadata();
            }
          },
          "(floor) bare client KV read",
          (c, n) -> bare.read(paths[disjoint(c, n)]),
          cores,
          floors);
      // the size of an L3's record: 126 sealed bytes in base64
      Map<String, Object> record = Map.of("sealed", "x".repeat(168), "tier", "L3");
      againstFloor(
          "create L3",
          (c, n) -> env.service.create(env.l3Request),
          "(floor) bare client KV write",
          (c, n) -> bare.write("secret/" + env.prefix + "/floor/c" + c + "-" + n, record),
          cores,
          floors);
      out.addAll(cores);
      out.addAll(floors);
    }
  }

  /** {@code core} against {@code floor} at each concurrency, alternating in rounds. */
  private void againstFloor(
      String coreName,
      LoadDriver.Op core,
      String floorName,
      LoadDriver.Op floor,
      List<LoadDriver.Result> cores,
      List<LoadDriver.Result> floors)
      throws InterruptedException {
    for (int callers : CALLERS) {
      LoadDriver.Result[] r = driver.alternate(coreName, core, floorName, floor, callers, ROUNDS);
      cores.add(r[0]);
      floors.add(r[1]);
      System.out.println(r[0]);
      System.out.println(r[1]);
    }
  }

  /**
   * The high-volume tier: L4 goes to inmemory by default; its L3 parent lives on OpenBao (cached).
   */
  private void l4() throws Exception {
    try (BaoEnv env = new BaoEnv(CacheSettings.defaults(), 1)) {
      CreateKeyRequest l4 =
          CreateKeyRequest.builder(KeyTier.L4, Owner.service("bench"))
              .parentId(env.l3s[0].id())
              .build();
      atEachConcurrency(
          "(ref) create L4 (inmemory; L3 parent on OpenBao)", (c, n) -> env.service.create(l4));
    }
  }

  private void atEachConcurrency(String name, LoadDriver.Op op) throws InterruptedException {
    for (int callers : CALLERS) {
      LoadDriver.Result r = driver.run(name, callers, op);
      out.add(r);
      System.out.println(r);
    }
  }

  /**
   * Caller {@code c} reads keys c, c + 32, c + 64, ...: no two callers ever ask for the same key at
   * once, so the core's coalescing of concurrent reads of one record never joins two calls, and
   * every call is one KV read, as every bare read is.
   */
  private static int disjoint(int caller, long n) {
    return (int) ((caller + (long) MAX_CALLERS * n) % KEYS);
  }
}
