package org.openkcm.keystore.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.model.KeyAlreadyExistsException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Limits;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.KeyRecord;
import org.openkcm.keystore.spi.Keystore;

/**
 * The edges of the contract: every limit of {@link Limits} at once in one record, the race of
 * several stores of one ref, and a health call that always answers. Runs as part of {@link
 * KeystoreConformanceTest}.
 */
public abstract class KeystoreLimitsConformance extends KeystoreListingConformance {

  /** An upper bound for one health call: a hang detector, not a latency target. */
  static final Duration HEALTH_BOUND = Duration.ofSeconds(15);

  /**
   * @return a backend of the same kind whose server cannot be reached (a closed port), or {@code
   *     null} for a backend without a server (in-process); its {@link Keystore#health()} must
   *     answer UNAVAILABLE within the bound, never throw
   */
  protected Keystore unreachableKeystore() throws Exception {
    return null;
  }

  @Test
  void aRecordAtEveryLimitRoundTrips() throws Exception {
    String id = records.id("lim-");
    id = id + "x".repeat(Limits.MAX_ID_LENGTH - id.length());
    Map<String, String> tags = fullTags("a");
    KeyMetadata md =
        records.metadata("unused", 1, KeyTier.L3, records.tenant("acme")).build().toBuilder()
            .ref(KeyRef.of(id, 1))
            .tags(tags)
            .build();
    assertThat(md.id()).hasSize(Limits.MAX_ID_LENGTH);
    assertThat(md.tags()).hasSize(Limits.MAX_TAGS);
    byte[] sealed = Records.sealed(Math.min(1024, keystore.info().maxRecordBytes()));

    long rev = keystore.store(md, sealed);
    KeyRecord got = keystore.retrieve(md.ref());
    assertThat(got.metadata()).isEqualTo(md);
    assertThat(got.sealed()).isEqualTo(sealed);
    assertThat(list(KeyFilter.builder().keyId(id).build())).containsExactly(md);

    KeyMetadata updated = md.toBuilder().tags(fullTags("b")).build();
    long next = keystore.updateMetadata(updated, rev);
    assertThat(keystore.retrieve(md.ref()).metadata()).isEqualTo(updated);
    assertThat(keystore.retrieve(md.ref()).revision()).isEqualTo(next);
    assertThat(list(KeyFilter.builder().keyId(id).build())).containsExactly(updated);

    assertThat(keystore.delete(md.ref())).isTrue();
    assertThatThrownBy(() -> keystore.retrieve(md.ref())).isInstanceOf(KeyNotFoundException.class);
  }

  /** {@value Limits#MAX_TAGS} tags, keys of 64 and values of 256 printable characters. */
  private static Map<String, String> fullTags(String variant) {
    Map<String, String> tags = new TreeMap<>();
    String printable = printable();
    for (int i = 0; i < Limits.MAX_TAGS; i++) {
      String key = String.format("k%02d.", i);
      key =
          key
              + "t:_-"
                  .repeat(Limits.MAX_TAG_KEY_LENGTH)
                  .substring(0, Limits.MAX_TAG_KEY_LENGTH - key.length());
      String value = variant + i + printable;
      tags.put(key, value.substring(0, Limits.MAX_TAG_VALUE_LENGTH));
    }
    return tags;
  }

  /** Every printable ASCII character (quotes, backslash and space included), repeated. */
  private static String printable() {
    StringBuilder b = new StringBuilder();
    while (b.length() < 2 * Limits.MAX_TAG_VALUE_LENGTH) {
      for (char c = 0x20; c <= 0x7E; c++) {
        b.append(c);
      }
    }
    return b.toString();
  }

  @Test
  void ofConcurrentStoresOfOneRefExactlyOneWinsAndItsBytesAreKept() throws Exception {
    int racers = 8;
    KeyMetadata base = records.metadata("race", 1, KeyTier.L4, records.tenant("acme")).build();
    ExecutorService pool = Executors.newFixedThreadPool(racers);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Long>> outcomes = new ArrayList<>();
    List<byte[]> bytes = new ArrayList<>();
    List<KeyMetadata> metadata = new ArrayList<>();
    try {
      for (int r = 0; r < racers; r++) {
        byte[] sealed = Records.sealed(64);
        KeyMetadata md = base.toBuilder().tag("racer", "r" + r).build();
        bytes.add(sealed);
        metadata.add(md);
        Callable<Long> store =
            () -> {
              start.await();
              return keystore.store(md, sealed);
            };
        outcomes.add(pool.submit(store));
      }
      start.countDown();
      int winner = -1;
      for (int r = 0; r < racers; r++) {
        try {
          outcomes.get(r).get(120, TimeUnit.SECONDS);
          assertThat(winner).as("a second store of the same ref succeeded").isEqualTo(-1);
          winner = r;
        } catch (ExecutionException e) {
          assertThat(e.getCause())
              .as("a losing store is refused as a duplicate")
              .isInstanceOf(KeyAlreadyExistsException.class);
        }
      }
      assertThat(winner).as("exactly one store wins").isNotEqualTo(-1);
      KeyRecord kept = keystore.retrieve(base.ref());
      assertThat(kept.metadata()).as("the winner's metadata").isEqualTo(metadata.get(winner));
      assertThat(kept.sealed()).as("the winner's bytes").isEqualTo(bytes.get(winner));
      assertThat(list(KeyFilter.builder().keyId(base.id()).build()))
          .containsExactly(metadata.get(winner));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void healthAnswersWithinTheBoundAndNeverThrows() throws Exception {
    for (int i = 0; i < 5; i++) {
      BackendHealth h = assertTimeoutPreemptively(HEALTH_BOUND, () -> keystore.health());
      assertThat(h).isNotNull();
      assertThat(h.state()).isNotNull();
      assertThat(h.latency()).isNotNull();
    }
    Keystore dead = unreachableKeystore();
    if (dead == null) {
      return; // an in-process backend has no server to lose
    }
    try {
      BackendHealth h = assertTimeoutPreemptively(HEALTH_BOUND, () -> dead.health());
      assertThat(h.state())
          .as("a backend whose server is unreachable says so")
          .isEqualTo(org.openkcm.keystore.spi.BackendState.UNAVAILABLE);
      assertThat(h.detail()).isNotNull();
    } finally {
      disposeKeystore(dead);
    }
  }
}
