package org.openkcm.keystore.core.internal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.crypto.EnvelopeSealer;
import org.openkcm.keystore.core.internal.crypto.LocalRootKeyProvider;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.IntegrityException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.spi.KeyRecord;

/**
 * Records written by sealed format 1 (before the state was authenticated; kept as a test resource
 * exactly as that code wrote them) keep opening, decrypting and evolving; records of today's format
 * cannot be downgraded to look like them.
 */
class LegacyFormatTest {
  @TempDir Path dir;

  @Test
  void formatOneRecordsWrittenByThePreviousCoreStillOpenDecryptRotateAndGetChildren()
      throws Exception {
    LegacyRecords legacy = LegacyRecords.load();
    String mk = Base64.getEncoder().encodeToString(legacy.masterKey);
    InMemoryKeystore mem = new InMemoryKeystore("inmemory", 1000);
    try (LocalRootKeyProvider root = new LocalRootKeyProvider(dir.resolve("unused.key"), n -> mk)) {
      for (KeyRecord r : legacy.records) {
        assertThat(EnvelopeSealer.format(r.sealed())).isEqualTo(1);
        mem.store(r.metadata(), r.sealed());
      }
      CryptoKeyService s =
          new CryptoKeyService(
              new TestDirectory(mem), root, new KeyCache(CacheSettings.defaults()));
      for (String[] c : legacy.ciphertexts) {
        byte[] plain = s.decrypt(c[0], Base64.getDecoder().decode(c[2]), null);
        assertThat(plain).isEqualTo(Base64.getDecoder().decode(c[1]));
      }
      try (KeyHandle h = s.openActive("legacy-l3")) {
        assertThat(h.metadata().version()).isEqualTo(2);
      }
      assertThat(s.metadata(KeyRef.of("legacy-l4c", 1)).status()).isEqualTo(KeyStatus.DESTROYED);
      // the format-1 keys evolve under the new code: a rotation (new versions are format 2), a
      // child, an update
      KeyMetadata v3 = s.rotate("legacy-l3");
      assertThat(EnvelopeSealer.format(mem.retrieve(v3.ref()).sealed())).isEqualTo(2);
      KeyMetadata l4 =
          s.create(
              org.openkcm.keystore.api.CreateKeyRequest.builder(
                      KeyTier.L4, org.openkcm.keystore.model.Owner.service("svc"))
                  .parentId("legacy-l3")
                  .build());
      s.updateMetadata(KeyRef.of("legacy-l2", 1), java.util.Map.of("team", "red"), null);
      s.close();
      CryptoKeyService fresh =
          new CryptoKeyService(
              new TestDirectory(mem), root, new KeyCache(CacheSettings.defaults()));
      try (KeyHandle h = fresh.open(l4.ref())) {
        byte[] ct = h.encrypt("new".getBytes(StandardCharsets.UTF_8), null);
        assertThat(fresh.decrypt(l4.id(), ct, null))
            .isEqualTo("new".getBytes(StandardCharsets.UTF_8));
      }
      assertThat(fresh.metadata(KeyRef.of("legacy-l2", 1)).tags()).containsEntry("team", "red");
      // a format-2 record whose state tag is removed is refused, never read as a legacy record
      KeyRecord r = mem.retrieve(v3.ref());
      mem.delete(v3.ref());
      mem.store(StateKeys.strip(r.metadata()), r.sealed());
      CryptoKeyService third =
          new CryptoKeyService(
              new TestDirectory(mem), root, new KeyCache(CacheSettings.defaults()));
      assertThatThrownBy(() -> third.open(v3.ref()))
          .isInstanceOf(IntegrityException.class)
          .hasMessageContaining("no authenticated state");
      fresh.close();
      third.close();
    } finally {
      mem.close();
    }
  }
}
