package org.openkcm.keystore.pluginhost.internal;

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
import org.openkcm.keystore.spi.BackendState;

/**
 * The Java model to and from the generated messages, host side. Enum mappings are exhaustive
 * switches without a default, so a constant added on one side only stops this bundle from
 * compiling. What comes back from a plugin is validated like any input: a plugin is not trusted to
 * send well-formed metadata.
 */
final class Protos {
  private Protos() {}

  static org.openkcm.keystore.proto.v1.KeyTier tier(KeyTier t) {
    return switch (t) {
      case L2 -> org.openkcm.keystore.proto.v1.KeyTier.L2;
      case L3 -> org.openkcm.keystore.proto.v1.KeyTier.L3;
      case L4 -> org.openkcm.keystore.proto.v1.KeyTier.L4;
    };
  }

  static KeyTier tier(org.openkcm.keystore.proto.v1.KeyTier t) throws InvalidKeyRequestException {
    return switch (t) {
      case L2 -> KeyTier.L2;
      case L3 -> KeyTier.L3;
      case L4 -> KeyTier.L4;
      case KEY_TIER_UNSPECIFIED, UNRECOGNIZED ->
          throw new InvalidKeyRequestException("tier", "the plugin sent no valid tier");
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

  static KeyStatus status(org.openkcm.keystore.proto.v1.KeyStatus s)
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
          throw new InvalidKeyRequestException("status", "the plugin sent no valid status");
    };
  }

  static org.openkcm.keystore.proto.v1.OwnerType ownerType(OwnerType t) {
    return switch (t) {
      case TENANT -> org.openkcm.keystore.proto.v1.OwnerType.TENANT;
      case SERVICE -> org.openkcm.keystore.proto.v1.OwnerType.SERVICE;
      case NODE -> org.openkcm.keystore.proto.v1.OwnerType.NODE;
    };
  }

  static OwnerType ownerType(org.openkcm.keystore.proto.v1.OwnerType t)
      throws InvalidKeyRequestException {
    return switch (t) {
      case TENANT -> OwnerType.TENANT;
      case SERVICE -> OwnerType.SERVICE;
      case NODE -> OwnerType.NODE;
      case OWNER_TYPE_UNSPECIFIED, UNRECOGNIZED ->
          throw new InvalidKeyRequestException("owner.type", "the plugin sent no valid owner type");
    };
  }

  static BackendState state(org.openkcm.keystore.proto.v1.BackendState s) {
    return switch (s) {
      case UP -> BackendState.UP;
      case SEALED -> BackendState.SEALED;
      case DEGRADED -> BackendState.DEGRADED;
      case UNAVAILABLE, BACKEND_STATE_UNSPECIFIED, UNRECOGNIZED -> BackendState.UNAVAILABLE;
    };
  }

  static org.openkcm.keystore.proto.v1.KeyRef ref(KeyRef r) {
    return org.openkcm.keystore.proto.v1.KeyRef.newBuilder()
        .setId(r.id())
        .setVersion(r.version())
        .build();
  }

  static org.openkcm.keystore.proto.v1.Owner owner(Owner o) {
    return org.openkcm.keystore.proto.v1.Owner.newBuilder()
        .setType(ownerType(o.type()))
        .setId(o.id())
        .build();
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

  static KeyMetadata metadata(org.openkcm.keystore.proto.v1.KeyMetadata m)
      throws InvalidKeyRequestException {
    KeyMetadata.Builder b =
        KeyMetadata.builder()
            .ref(KeyRef.of(m.getId(), m.getVersion()))
            .tier(tier(m.getTier()))
            .algorithm(m.getAlgorithm())
            .keySize(m.getKeySize())
            .status(status(m.getStatus()))
            .owner(Owner.of(ownerType(m.getOwner().getType()), m.getOwner().getId()))
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
      b.parent(KeyRef.of(m.getParent().getId(), m.getParent().getVersion()));
    }
    return b.build();
  }

  static org.openkcm.keystore.proto.v1.KeyFilter filter(KeyFilter f) {
    org.openkcm.keystore.proto.v1.KeyFilter.Builder b =
        org.openkcm.keystore.proto.v1.KeyFilter.newBuilder().setPageSize(f.pageSize());
    f.owner().ifPresent(o -> b.setOwner(owner(o)));
    f.tier().ifPresent(t -> b.setTier(tier(t)));
    f.statuses().forEach(s -> b.addStatuses(status(s)));
    f.algorithm().ifPresent(b::setAlgorithm);
    f.expiresBefore().ifPresent(t -> b.setExpiresBefore(time(t)));
    f.expiresAfter().ifPresent(t -> b.setExpiresAfter(time(t)));
    b.putAllTags(f.tags());
    f.idPrefix().ifPresent(b::setIdPrefix);
    f.keyId().ifPresent(b::setKeyId);
    f.after().ifPresent(a -> b.setCursor(KeyFilter.cursorAfter(a)));
    return b.build();
  }

  static Timestamp time(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }

  static Instant instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }
}
