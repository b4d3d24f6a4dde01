package org.openkcm.keystore.itests.core;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.openkcm.keystore.api.MigrationReport;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.spi.Keystore;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * KeystoreAdmin.migrate on the real runtime, stopped half-way by a target that fails: every key
 * stays readable exactly once (listed once, found with its bytes), and running the migration again
 * finishes it.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MigrationIT extends CoreTestSupport {
  private static final int KEYS = 20;

  @Configuration
  public Option[] config() {
    return coreOptions();
  }

  @Test
  public void aMigrationStoppedHalfWayLeavesEveryKeyReadableExactlyOnceAndARerunFinishesIt()
      throws Exception {
    SharedStore old = new SharedStore("old");
    SharedStore target = new SharedStore("new");
    register("old", 0, old);
    register("new", 0, target);
    // new keys go to "new"; "old" stays configured for lookups: where the existing keys are
    configure(
        "org.openkcm.keystore.routing",
        Map.of(
            "rules",
            new String[] {"* -> new"},
            "defaultBackend",
            "new",
            "backends",
            new String[] {"old"}));
    await(
        "routing in force",
        () -> {
          try {
            return admin().routes().get(0).backend().equals("new")
                && configuredBackends().size() == 2;
          } catch (Exception e) {
            return false;
          }
        });
    Map<KeyRef, byte[]> stored = new HashMap<>();
    for (int i = 0; i < KEYS; i++) {
      KeyMetadata m =
          key(String.format("mig-%02d", i), i % 2 == 0 ? KeyTier.L2 : KeyTier.L3, "tenant:acme");
      byte[] sealed = {(byte) i, 42, (byte) (i * 3)};
      old.store(m, sealed);
      stored.put(m.ref(), sealed);
    }

    // the target goes away at the 8th copy, for good: a one-off glitch is retried by the call layer
    target.failStoresWhere(n -> n >= 8);
    MigrationReport first = admin().migrate(KeyFilter.all(), "new");
    assertEquals(7, first.moved());
    assertTrue(
        first.failures().toString(),
        first.failures().stream().anyMatch(f -> f.startsWith("stopped")));
    assertEquals(KEYS - 7, old.size());
    assertEquals(7, target.size());
    assertReadableExactlyOnce(stored);

    target.failStoresWhere(n -> false);
    MigrationReport second = admin().migrate(KeyFilter.all(), "new");
    assertEquals(second.failures().toString(), 0, second.failed());
    assertEquals(KEYS - 7, second.moved());
    assertEquals(0, old.size());
    assertEquals(KEYS, target.size());
    assertReadableExactlyOnce(stored);
  }

  @Test
  public void aStopBetweenCopyAndDeleteLeavesAnEqualDuplicateListedOnceThatTheRerunRemoves()
      throws Exception {
    SharedStore old = new SharedStore("old2");
    SharedStore target = new SharedStore("new2");
    register("old2", 0, old);
    register("new2", 0, target);
    configure(
        "org.openkcm.keystore.routing",
        Map.of(
            "rules",
            new String[] {"* -> new2"},
            "defaultBackend",
            "new2",
            "backends",
            new String[] {"old2"}));
    await(
        "routing in force",
        () -> {
          try {
            return admin().routes().get(0).backend().equals("new2")
                && configuredBackends().size() == 2;
          } catch (Exception e) {
            return false;
          }
        });
    Map<KeyRef, byte[]> stored = new HashMap<>();
    for (int i = 0; i < 6; i++) {
      KeyMetadata m = key("dup-" + i, KeyTier.L2, "tenant:acme");
      old.store(m, new byte[] {(byte) i, 1});
      stored.put(m.ref(), new byte[] {(byte) i, 1});
    }
    // the source goes away after the 3rd verified copy, for good (a one-off glitch is retried)
    old.failDeletesWhere(n -> n >= 3);
    MigrationReport first = admin().migrate(KeyFilter.all(), "new2");
    assertEquals(2, first.moved());
    KeyRef third = KeyRef.of("dup-2", 1);
    assertTrue(old.holds(third) && target.holds(third));
    assertEquals(2, copiesOf(third));
    List<KeyRef> listed = new ArrayList<>();
    records().list(KeyFilter.all()).items().forEach(m -> listed.add(m.ref()));
    assertEquals("the duplicate is listed once", stored.keySet(), new HashSet<>(listed));
    assertEquals(stored.size(), listed.size());

    old.failDeletesWhere(n -> false);
    MigrationReport second = admin().migrate(KeyFilter.all(), "new2");
    assertEquals(0, second.failed());
    assertEquals(0, old.size());
    assertReadableExactlyOnce(stored);
  }

  private void assertReadableExactlyOnce(Map<KeyRef, byte[]> stored) throws Exception {
    List<KeyRef> listed = new ArrayList<>();
    KeyFilter f = KeyFilter.builder().pageSize(7).build();
    while (true) {
      Page<KeyMetadata> p = records().list(f);
      p.items().forEach(m -> listed.add(m.ref()));
      if (p.nextCursor().isEmpty()) {
        break;
      }
      f = KeyFilter.builder().pageSize(7).cursor(p.nextCursor().get()).build();
    }
    assertEquals("each key listed once", stored.size(), listed.size());
    assertEquals(stored.keySet(), new HashSet<>(listed));
    for (Map.Entry<KeyRef, byte[]> e : stored.entrySet()) {
      assertEquals(e.getKey() + " held by exactly one backend", 1, copiesOf(e.getKey()));
      assertArrayEquals(e.getValue(), find(e.getKey()));
    }
  }

  private byte[] find(KeyRef ref) throws Exception {
    for (Keystore k : configuredBackends()) {
      try {
        return k.retrieve(ref).sealed();
      } catch (KeyNotFoundException e) {
        // next backend
      }
    }
    throw new AssertionError(ref + " is in no configured backend");
  }
}
