package org.openkcm.keystore.grpc.internal;

import com.google.protobuf.Timestamp;
import java.time.Instant;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.model.OwnerType;
import org.openkcm.keystore.proto.v1.KeyRecord;
import org.openkcm.keystore.spi.BackendState;

/**
 * The Java model to and from the generated messages. Every enum mapping is an exhaustive {@code
 * switch} without a default in both directions, so a constant added to the Java model or to the
 * .proto alone stops this bundle from compiling; fields are covered by KeystoreContractDriftTest
 * and the round-trip test.
 */
final class ProtoModel {
  private ProtoModel() {}

  // --- enums -------------------------------------------------------------------------------------

  static org.openkcm.keystore.proto.v1.KeyTier tier(KeyTier t) {
    return switch (t) {
      case L2 -> org.openkcm.keystore.proto.v1.KeyTier.L2;
      case L3 -> org.openkcm.keystore.proto.v1.KeyTier.L3;
      case L4 -> org.openkcm.keystore.proto.v1.KeyTier.L4;
    };
  }

  static KeyTier tier(String field, org.openkcm.keystore.proto.v1.KeyTier t)
      throws InvalidKeyRequestException {
    return switch (t) {
      case L2 -> KeyTier.L2;
      case L3 -> KeyTier.L3;
      case L4 -> KeyTier.L4;
      case KEY_TIER_UNSPECIFIED, UNRECOGNIZED ->
          throw new InvalidKeyRequestException(field, "must be L2, L3 or L4");
    };
  }

  static org.openkcm.keystore.proto.v1.KeyStatus status(KeyStatus s) {
    return switch (s) {
      case PENDING -> org.openkcm.keystore.proto.v1.KeyStatus.PENDING;
      case PRE_ACTIVE -> org.openkcm.keystore.proto.v1.KeyStatus.PRE_ACTIVE;
      case ACTIVE -> org.openkcm.keystore.proto.v1.KeyStatus.ACTIVE;
      case SUSPENDED -> org.openkcm.keystore.proto.v1.KeyStatus.SUSPENDED;
      case DEPRECATED -> org.openkcm.keystore.proto.v1.KeyStatus.DEPRECATED;
      case RETIRED -> org.openkcm.keystore.proto.v1.KeyStatus.RETIRED;
      case COMPROMISED -> org.openkcm.keystore.proto.v1.KeyStatus.COMPROMISED;
      case DESTROYED -> org.openkcm.keystore.proto.v1.KeyStatus.DESTROYED;
    };
  }

  static KeyStatus status(String field, org.openkcm.keystore.proto.v1.KeyStatus s)
      throws InvalidKeyRequestException {
    return switch (s) {
      case PENDING -> KeyStatus.PENDING;
      case PRE_ACTIVE -> KeyStatus.PRE_ACTIVE;
      case ACTIVE -> KeyStatus.ACTIVE;
      case SUSPENDED -> KeyStatus.SUSPENDED;
      case DEPRECATED -> KeyStatus.DEPRECATED;
      case RETIRED -> KeyStatus.RETIRED;
      case COMPROMISED -> KeyStatus.COMPROMISED;
      case DESTROYED -> KeyStatus.DESTROYED;
      case KEY_STATUS_UNSPECIFIED, UNRECOGNIZED ->
          throw new InvalidKeyRequestException(field, "is not a key status");
    };
  }

  static org.openkcm.keystore.proto.v1.OwnerType ownerType(OwnerType t) {
    return switch (t) {
      case TENANT -> org.openkcm.keystore.proto.v1.OwnerType.TENANT;
      case SERVICE -> org.openkcm.keystore.proto.v1.OwnerType.SERVICE;
      case NODE -> org.openkcm.keystore.proto.v1.OwnerType.NODE;
    };
  }

  static OwnerType ownerType(String field, org.openkcm.keystore.proto.v1.OwnerType t)
      throws InvalidKeyRequestException {
    return switch (t) {
      case TENANT -> OwnerType.TENANT;
      case SERVICE -> OwnerType.SERVICE;
      case NODE -> OwnerType.NODE;
      case OWNER_TYPE_UNSPECIFIED, UNRECOGNIZED ->
          throw new InvalidKeyRequestException(field, "must be TENANT, SERVICE or NODE");
    };
  }

  static org.openkcm.keystore.proto.v1.BackendState state(BackendState s) {
    return switch (s) {
      case UP -> org.openkcm.keystore.proto.v1.BackendState.UP;
      case SEALED -> org.openkcm.keystore.proto.v1.BackendState.SEALED;
      case UNAVAILABLE -> org.openkcm.keystore.proto.v1.BackendState.UNAVAILABLE;
      case DEGRADED -> org.openkcm.keystore.proto.v1.BackendState.DEGRADED;
    };
  }

  static BackendState state(org.openkcm.keystore.proto.v1.BackendState s) {
    return switch (s) {
      case UP -> BackendState.UP;
      case SEALED -> BackendState.SEALED;
      case UNAVAILABLE, BACKEND_STATE_UNSPECIFIED, UNRECOGNIZED -> BackendState.UNAVAILABLE;
      case DEGRADED -> BackendState.DEGRADED;
    };
  }

  // --- messages ----------------------------------------------------------------------------------

  static org.openkcm.keystore.proto.v1.KeyRef ref(KeyRef r) {
    return org.openkcm.keystore.proto.v1.KeyRef.newBuilder()
        .setId(r.id())
        .setVersion(r.version())
        .build();
  }

  static KeyRef ref(String field, org.openkcm.keystore.proto.v1.KeyRef r)
      throws InvalidKeyRequestException {
    if (r.getId().isEmpty()) {
      throw new InvalidKeyRequestException(field + ".id", "is required");
    }
    return KeyRef.of(r.getId(), r.getVersion());
  }

  static org.openkcm.keystore.proto.v1.Owner owner(Owner o) {
    return org.openkcm.keystore.proto.v1.Owner.newBuilder()
        .setType(ownerType(o.type()))
        .setId(o.id())
        .build();
  }

  static Owner owner(String field, org.openkcm.keystore.proto.v1.Owner o)
      throws InvalidKeyRequestException {
    return Owner.of(ownerType(field + ".type", o.getType()), o.getId());
  }

  static org.openkcm.keystore.proto.v1.KeyMetadata metadata(KeyMetadata m) {
    org.openkcm.keystore.proto.v1.KeyMetadata.Builder b =
        org.openkcm.keystore.proto.v1.KeyMetadata.newBuilder()
            .setId(m.id())
            .setVersion(m.version())
            .setTier(tier(m.tier()))
            .setAlgorithm(m.algorithm())
            .setKeySize(m.keySize())
            .setStatus(status(m.status()))
            .setCreatedAt(time(m.createdAt()))
            .setUpdatedAt(time(m.updatedAt()))
            .setOwner(owner(m.owner()))
            .putAllTags(m.tags());
    m.expiresAt().ifPresent(e -> b.setExpiresAt(time(e)));
    m.parent().ifPresent(p -> b.setParent(ref(p)));
    return b.build();
  }

  static KeyMetadata metadata(String field, org.openkcm.keystore.proto.v1.KeyMetadata m)
      throws InvalidKeyRequestException {
    KeyMetadata.Builder b =
        KeyMetadata.builder()
            .ref(KeyRef.of(m.getId(), m.getVersion()))
            .tier(tier(field + ".tier", m.getTier()))
            .algorithm(m.getAlgorithm())
            .keySize(m.getKeySize())
            .status(status(field + ".status", m.getStatus()))
            .owner(owner(field + ".owner", m.getOwner()))
            .tags(m.getTagsMap());
    if (m.hasCreatedAt()) {
      b.createdAt(instant(m.getCreatedAt()));
    }
    if (m.hasUpdatedAt()) {
      b.updatedAt(instant(m.getUpdatedAt()));
    }
    if (m.hasExpiresAt()) {
      b.expiresAt(instant(m.getExpiresAt()));
    }
    if (m.hasParent()) {
      b.parent(ref(field + ".parent", m.getParent()));
    }
    return b.build();
  }

  static KeyRecord record(org.openkcm.keystore.spi.KeyRecord r) {
    return KeyRecord.newBuilder()
        .setMetadata(metadata(r.metadata()))
        .setSealed(com.google.protobuf.ByteString.copyFrom(r.sealed()))
        .setRevision(r.revision())
        .build();
  }

  static KeyFilter filter(org.openkcm.keystore.proto.v1.KeyFilter f)
      throws InvalidKeyRequestException {
    KeyFilter.Builder b = KeyFilter.builder();
    if (f.hasOwner()) {
      b.owner(owner("filter.owner", f.getOwner()));
    }
    if (f.getTier() != org.openkcm.keystore.proto.v1.KeyTier.KEY_TIER_UNSPECIFIED) {
      b.tier(tier("filter.tier", f.getTier()));
    }
    for (org.openkcm.keystore.proto.v1.KeyStatus s : f.getStatusesList()) {
      b.status(status("filter.statuses", s));
    }
    if (!f.getAlgorithm().isEmpty()) {
      b.algorithm(f.getAlgorithm());
    }
    if (f.hasExpiresBefore()) {
      b.expiresBefore(instant(f.getExpiresBefore()));
    }
    if (f.hasExpiresAfter()) {
      b.expiresAfter(instant(f.getExpiresAfter()));
    }
    f.getTagsMap().forEach(b::tag);
    if (!f.getIdPrefix().isEmpty()) {
      b.idPrefix(f.getIdPrefix());
    }
    if (!f.getKeyId().isEmpty()) {
      b.keyId(f.getKeyId());
    }
    if (f.getPageSize() != 0) {
      b.pageSize(f.getPageSize());
    }
    if (!f.getCursor().isEmpty()) {
      b.cursor(f.getCursor());
    }
    return b.build();
  }

  static Timestamp time(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }

  static Instant instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }
}
