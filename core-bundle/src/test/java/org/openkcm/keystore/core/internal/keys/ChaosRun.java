package org.openkcm.keystore.core.internal.keys;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.openkcm.keystore.api.CreateKeyRequest;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.core.internal.keys.ChaosModel.Fate;
import org.openkcm.keystore.core.internal.keys.ChaosModel.Key;
import org.openkcm.keystore.model.BackendSealedException;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.ConcurrentUpdateException;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyAlreadyExistsException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Owner;

/**
 * A seeded random mix of KeyService operations against a crypto core whose backends fault. Every
 * answer updates the {@link ChaosModel}; an answer that no fault can explain (an integrity failure,
 * a runtime exception, a decrypt that returns other bytes) is a violation at once. Single-threaded,
 * so a reconciler pass between operations (grace 0) never meets a saga in flight.
 */
final class ChaosRun {
  /** The core under test; replaceable (a restart mid-run). */
  interface Core {
    CryptoKeyService service();
  }

  final ChaosModel model = new ChaosModel();
  final List<String> violations = new ArrayList<>();
  private final Core core;
  private final Random random;
  private final Limits limits;
  int operations;

  /** operations done so far, readable from another thread (the test that kills the backend) */
  final java.util.concurrent.atomic.AtomicInteger progress =
      new java.util.concurrent.atomic.AtomicInteger();

  /** what the reconciler passes during the run repaired, summed */
  int reconciled;

  int succeeded;
  int failed;
  private int ids;

  /**
   * Caps on live keys per tier (keeps OpenBao tag listings, which read every record of a tier,
   * cheap).
   */
  record Limits(int l2, int l3, int l4) {}

  ChaosRun(Core core, long seed, Limits limits) {
    this.core = core;
    this.random = new Random(seed);
    this.limits = limits;
  }

  void run(int count, int reconcileEvery, Runnable between) {
    for (int i = 0; i < count; i++) {
      operations++;
      try {
        step();
        succeeded++;
      } catch (BackendUnavailableException
          | BackendSealedException
          | ConcurrentUpdateException
          | InvalidKeyRequestException
          | KeyNotFoundException
          | KeyAlreadyExistsException e) {
        failed++; // typed, explainable answers under faults; the model was updated by the step
      } catch (KeystoreException | RuntimeException e) {
        violations.add("op " + i + ": unexpected " + e);
      }
      progress.incrementAndGet();
      if (reconcileEvery > 0 && (i + 1) % reconcileEvery == 0) {
        reconciled += core.service().reconcile(Duration.ZERO, true).repaired();
        between.run();
      }
    }
  }

  private CryptoKeyService svc() {
    return core.service();
  }

  private void step() throws KeystoreException {
    int dice = random.nextInt(100);
    if (dice < 4 || model.live(KeyTier.L2).isEmpty()) {
      create(KeyTier.L2);
    } else if (dice < 12 || model.live(KeyTier.L3).isEmpty()) {
      create(KeyTier.L3);
    } else if (dice < 32) {
      create(KeyTier.L4);
    } else if (dice < 40) {
      rotate();
    } else if (dice < 45) {
      changeStatus();
    } else if (dice < 52) {
      updateTags();
    } else if (dice < 58) {
      destroy();
    } else if (dice < 74) {
      encrypt();
    } else if (dice < 87) {
      decrypt();
    } else {
      openActive();
    }
  }

  private Key pick(KeyTier tier) {
    List<Key> live = model.live(tier);
    return live.isEmpty() ? null : live.get(random.nextInt(live.size()));
  }

  private void create(KeyTier tier) throws KeystoreException {
    int cap = tier == KeyTier.L2 ? limits.l2() : tier == KeyTier.L3 ? limits.l3() : limits.l4();
    if (model.live(tier).size() >= cap) {
      tier = KeyTier.L4; // at the cap: add data keys instead (L4 is always allowed to grow)
    }
    Key parent = tier == KeyTier.L2 ? null : pick(tier.parentTier());
    if (tier != KeyTier.L2 && parent == null) {
      return;
    }
    String id = tier.name().toLowerCase() + "-c" + (ids++);
    CreateKeyRequest.Builder b =
        CreateKeyRequest.builder(
                tier,
                tier == KeyTier.L2 ? Owner.tenant("t" + random.nextInt(5)) : Owner.service("svc"))
            .keyId(id);
    if (parent != null) {
      b.parentId(parent.id);
    }
    Key k = new Key(id, tier, parent == null ? null : parent.id, Fate.CREATE_FAILED);
    model.keys.put(id, k);
    KeyMetadata m = svc().create(b.build());
    if (!m.id().equals(id) || m.status() != KeyStatus.ACTIVE) {
      violations.add("create " + id + " answered " + m);
    }
    k.fate = Fate.LIVE;
  }

  private void rotate() throws KeystoreException {
    Key k =
        pick(random.nextBoolean() ? KeyTier.L4 : random.nextBoolean() ? KeyTier.L3 : KeyTier.L2);
    if (k == null) {
      return;
    }
    try {
      KeyMetadata next = svc().rotate(k.id);
      k.status.replaceAll((v, s) -> s == KeyStatus.ACTIVE ? KeyStatus.DEPRECATED : s);
      k.status.put(next.version(), KeyStatus.ACTIVE);
      k.tags.put(next.version(), k.tags.getOrDefault(next.version() - 1, null));
    } catch (KeystoreException e) {
      k.rotationUncertain = true; // old ACTIVE or new ACTIVE: both decrypt what was encrypted
      throw e;
    }
  }

  private void changeStatus() throws KeystoreException {
    Key k = pick(null);
    if (k == null || k.rotationUncertain) {
      return;
    }
    int v = new ArrayList<>(k.status.keySet()).get(random.nextInt(k.status.size()));
    KeyStatus cur = k.status.get(v);
    KeyStatus next =
        cur == KeyStatus.ACTIVE
            ? KeyStatus.SUSPENDED
            : cur == KeyStatus.SUSPENDED
                ? KeyStatus.ACTIVE
                : cur == KeyStatus.DEPRECATED ? KeyStatus.RETIRED : null;
    if (next == null) {
      return;
    }
    k.status.put(v, null);
    svc().changeStatus(KeyRef.of(k.id, v), next);
    k.status.put(v, next);
  }

  private void updateTags() throws KeystoreException {
    Key k = pick(null);
    if (k == null) {
      return;
    }
    int v = new ArrayList<>(k.status.keySet()).get(random.nextInt(k.status.size()));
    Map<String, String> tags = Map.of("n", Integer.toString(random.nextInt(1000)));
    k.tags.put(v, null);
    svc().updateMetadata(KeyRef.of(k.id, v), tags, null);
    k.tags.put(v, tags);
  }

  private void destroy() throws KeystoreException {
    Key k =
        pick(
            random.nextInt(3) == 0 ? KeyTier.L3 : random.nextInt(5) == 0 ? KeyTier.L2 : KeyTier.L4);
    if (k == null || (k.tier == KeyTier.L2 && model.live(KeyTier.L2).size() < 3)) {
      return;
    }
    boolean cascade = random.nextInt(4) != 0;
    try {
      svc().destroy(k.id, cascade);
      model.mark(k.id, Fate.DESTROYED);
    } catch (InvalidKeyRequestException e) {
      if (!"cascade".equals(e.field())) {
        model.mark(k.id, Fate.DOOMED);
      }
      throw e; // refused (live children, no cascade): nothing changed
    } catch (KeystoreException e) {
      model.mark(k.id, Fate.DOOMED);
      throw e;
    }
  }

  private void encrypt() throws KeystoreException {
    Key k = pick(random.nextInt(4) == 0 ? KeyTier.L3 : KeyTier.L4);
    if (k == null) {
      return;
    }
    byte[] plaintext = new byte[16 + random.nextInt(48)];
    random.nextBytes(plaintext);
    byte[] aad = ("aad-" + k.id).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] ct = svc().encrypt(k.id, plaintext, aad);
    k.sealed.add(new ChaosModel.Sealed(plaintext, aad, ct));
  }

  private void decrypt() throws KeystoreException {
    Key k = pick(random.nextBoolean() ? KeyTier.L4 : KeyTier.L3);
    if (k == null || k.sealed.isEmpty()) {
      return;
    }
    ChaosModel.Sealed s = k.sealed.get(random.nextInt(k.sealed.size()));
    byte[] out = svc().decrypt(k.id, s.ciphertext(), s.aad());
    if (!java.util.Arrays.equals(out, s.plaintext())) {
      violations.add("decrypt of " + k.id + " returned other bytes");
    }
  }

  private void openActive() throws KeystoreException {
    Key k = pick(null);
    if (k == null) {
      return;
    }
    try (KeyHandle h = svc().openActive(k.id)) {
      if (h.metadata().status() != KeyStatus.ACTIVE) {
        violations.add("openActive of " + k.id + " gave a " + h.metadata().status() + " version");
      }
      model.materials.add(h.copyMaterial());
    }
  }
}
