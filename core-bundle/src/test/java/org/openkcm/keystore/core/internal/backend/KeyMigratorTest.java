package org.openkcm.keystore.core.internal.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.api.MigrationReport;
import org.openkcm.keystore.core.internal.support.Keys;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.spi.KeyRecord;
import org.openkcm.keystore.spi.Keystore;
import org.openkcm.keystore.testkit.FaultInjectingKeystore;
import org.openkcm.keystore.testkit.FaultInjectingKeystore.Fault;
import org.openkcm.keystore.testkit.FaultInjectingKeystore.FaultPlan;
import org.openkcm.keystore.testkit.FaultInjectingKeystore.Operation;

class KeyMigratorTest {
  private static final int KEYS = 12;
  private final InMemoryKeystore sourceStore = new InMemoryKeystore("old", 100);
  private final InMemoryKeystore targetStore = new InMemoryKeystore("new", 100);
  private final FaultInjectingKeystore source = new FaultInjectingKeystore(sourceStore);
  private final FaultInjectingKeystore target = new FaultInjectingKeystore(targetStore);
  private final Map<KeyRef, byte[]> original = new HashMap<>();

  @BeforeEach
  void fill() throws Exception {
    for (int i = 0; i < KEYS; i++) {
      KeyMetadata m =
          Keys.key(
              String.format("key-%02d", i),
              i % 2 == 0 ? KeyTier.L2 : KeyTier.L3,
              "tenant:acme",
              "n",
              "" + i);
      byte[] sealed = {(byte) i, 1, 2, 3, (byte) (i * 7)};
      sourceStore.store(m, sealed);
      original.put(m.ref(), sealed);
    }
  }

  private MigrationReport migrate() {
    return new KeyMigrator("new", target)
        .migrate(List.of(new KeyMigrator.Source("old", source)), KeyFilter.all());
  }

  @Test
  void movesEveryRecordWithItsBytesAndMetadata() throws Exception {
    Map<KeyRef, KeyMetadata> before = metadata(sourceStore);
    MigrationReport r = migrate();
    assertThat(r.moved()).isEqualTo(KEYS);
    assertThat(r.failed()).isZero();
    assertThat(sourceStore.size()).isZero();
    assertThat(metadata(targetStore)).isEqualTo(before);
    for (Map.Entry<KeyRef, byte[]> e : original.entrySet()) {
      assertThat(targetStore.retrieve(e.getKey()).sealed()).containsExactly(e.getValue());
    }
  }

  @Test
  void aTargetFailingHalfWayLeavesEveryKeyReadableExactlyOnceAndARerunFinishes() throws Exception {
    target.plan(FaultPlan.nth(6, Fault.FAIL_BEFORE, Operation.STORE));
    MigrationReport r = migrate();
    assertThat(r.moved()).isEqualTo(5);
    assertThat(r.failures()).anyMatch(f -> f.startsWith("stopped"));
    assertReadableExactlyOnce();
    assertThat(sourceStore.size() + targetStore.size()).isEqualTo(KEYS);

    target.plan(FaultPlan.none());
    assertThat(migrate().moved()).isEqualTo(KEYS - 5);
    assertThat(sourceStore.size()).isZero();
    assertReadableExactlyOnce();
  }

  @Test
  void aCrashBetweenCopyAndDeleteLeavesAVerifiedDuplicateThatTheRerunRemoves() throws Exception {
    source.plan(FaultPlan.nth(3, Fault.FAIL_BEFORE, Operation.DELETE));
    MigrationReport r = migrate();
    assertThat(r.moved()).isEqualTo(2);
    KeyRef third = KeyRef.of("key-02", 1);
    // the copy window frozen: the record is in both backends, equal, and listed once
    assertThat(sourceStore.retrieve(third).sealed())
        .containsExactly(targetStore.retrieve(third).sealed());
    assertReadableExactlyOnce();

    source.plan(FaultPlan.none());
    MigrationReport again = migrate();
    assertThat(again.failed()).isZero();
    assertThat(again.moved()).isEqualTo(KEYS - 2);
    assertThat(sourceStore.size()).isZero();
    assertThat(targetStore.size()).isEqualTo(KEYS);
    assertReadableExactlyOnce();
  }

  @Test
  void aCopyWhoseAnswerWasLostIsRepairedByTheRerun() throws Exception {
    target.plan(FaultPlan.nth(4, Fault.FAIL_AFTER, Operation.STORE));
    migrate();
    assertThat(targetStore.retrieve(KeyRef.of("key-03", 1)))
        .isNotNull(); // written, though the caller saw a failure
    assertReadableExactlyOnce();
    target.plan(FaultPlan.none());
    assertThat(migrate().failed()).isZero();
    assertThat(sourceStore.size()).isZero();
    assertReadableExactlyOnce();
  }

  @Test
  void aDifferentRecordAtTheTargetIsAConflictLeftAlone() throws Exception {
    KeyMetadata m = sourceStore.retrieve(KeyRef.of("key-00", 1)).metadata();
    targetStore.store(m, new byte[] {42});
    MigrationReport r = migrate();
    assertThat(r.failures())
        .anyMatch(f -> f.contains("key-00@1") && f.contains("different record"));
    assertThat(sourceStore.retrieve(m.ref()).sealed()).containsExactly(original.get(m.ref()));
    assertThat(r.moved()).isEqualTo(KEYS - 1);
  }

  /**
   * Every original record is retrievable, with its bytes, and the merged listing shows each ref
   * once.
   */
  private void assertReadableExactlyOnce() throws Exception {
    List<KeyRef> listed = new ArrayList<>();
    KeyFilter f = KeyFilter.all();
    while (true) {
      Page<KeyMetadata> p =
          org.openkcm.keystore.core.internal.backend.ListingProbe.list(
              List.of(sourceStore, targetStore), f);
      p.items().forEach(m -> listed.add(m.ref()));
      if (p.nextCursor().isEmpty()) {
        break;
      }
      f = f.after(listed.get(listed.size() - 1));
    }
    assertThat(listed)
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(original.keySet());
    for (Map.Entry<KeyRef, byte[]> e : original.entrySet()) {
      assertThat(find(e.getKey()).sealed()).containsExactly(e.getValue());
    }
  }

  private KeyRecord find(KeyRef ref) throws KeystoreException {
    for (Keystore k : List.of(sourceStore, targetStore)) {
      try {
        return k.retrieve(ref);
      } catch (KeyNotFoundException e) {
        // next
      }
    }
    throw new AssertionError(ref + " is nowhere");
  }

  private static Map<KeyRef, KeyMetadata> metadata(Keystore k) throws KeystoreException {
    Map<KeyRef, KeyMetadata> out = new HashMap<>();
    k.list(KeyFilter.all()).items().forEach(m -> out.put(m.ref(), m));
    return out;
  }
}
