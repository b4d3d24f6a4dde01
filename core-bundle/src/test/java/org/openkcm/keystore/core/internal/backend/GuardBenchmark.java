package org.openkcm.keystore.core.internal.backend;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openkcm.keystore.core.internal.support.Keys;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.spi.KeyRecord;
import org.openkcm.keystore.spi.Keystore;

/**
 * What the guard (deadline + per-backend worker pool + replacement-safe lookup) costs per backend
 * call, against the InMemory backend called directly. Run: see docs/core.md ("Figures").
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class GuardBenchmark {
  private Fixture fx;
  private InMemoryKeystore direct;
  private Keystore guarded;
  private KeyRef ref;

  /** true: inmemory called inline (the default); false: through its worker pool with a deadline. */
  @Param({"true", "false"})
  public boolean inline;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    direct = new InMemoryKeystore("inmemory", 1_000_000);
    fx =
        new Fixture(
            new String[] {"* -> inmemory"},
            "inmemory",
            Map.of(
                "healthInterval",
                "1h",
                "inlineBackends",
                inline ? new String[] {"inmemory"} : new String[0]));
    fx.register("inmemory", 0, direct);
    guarded = fx.manager.backend("inmemory");
    for (int i = 0; i < 100_000; i++) {
      direct.store(Keys.key("k" + i, KeyTier.L4, "tenant:acme"), new byte[64]);
    }
    ref = KeyRef.of("k4242", 1);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    fx.close();
  }

  @Benchmark
  public KeyRecord retrieveDirect() throws Exception {
    return direct.retrieve(ref);
  }

  @Benchmark
  public KeyRecord retrieveGuarded() throws Exception {
    return guarded.retrieve(ref);
  }
}
