package org.openkcm.keystore.protomodel;

import com.google.protobuf.Timestamp;
import java.time.Instant;
import java.util.function.Supplier;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.model.OwnerType;
import org.openkcm.keystore.spi.BackendState;

/**
 * The Java model to and from the generated messages, once for every bundle that speaks protobuf
 * (the gRPC endpoint, the plugin host). Every enum mapping is an exhaustive {@code switch} without
 * a default in both directions, so a constant added to the Java model or to the .proto alone stops
 * the build. What comes in is validated by the caller's words: a value no constant names is refused
 * with the {@link InvalidKeyRequestException} the caller supplies (a gRPC client and a plugin are
 * told different things).
 */
public final class ProtoMapping {
  private ProtoMapping() {}

  // --- enums -------------------------------------------------------------------------------------

  public static org.openkcm.keystore.proto.v1.KeyTier tier(KeyTier t) {
    return switch (t) {
      case L2 -> org.openkcm.keystore.proto.v1.KeyTier.L2;
      case L3 -> org.openkcm.keystore.proto.v1.KeyTier.L3;
      case L4 -> org.openkcm.keystore.proto.v1.KeyTier.L4;
    };
  }

  public static KeyTier tier(
      org.openkcm.keystore.proto.v1.KeyTier t, Supplier<InvalidKeyRequestException> invalid)
      throws InvalidKeyRequestException {
    return switch (t) {
      case L2 -> KeyTier.L2;
      case L3 -> KeyTier.L3;
      case L4 -> KeyTier.L4;
      case KEY_TIER_UNSPECIFIED, UNRECOGNIZED -> throw invalid.get();
    };
  }

  public static org.openkcm.keystore.proto.v1.KeyStatus status(KeyStatus s) {
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

  public static KeyStatus status(
      org.openkcm.keystore.proto.v1.KeyStatus s, Supplier<InvalidKeyRequestException> invalid)
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
      case KEY_STATUS_UNSPECIFIED, UNRECOGNIZED -> throw invalid.get();
    };
  }

  public static org.openkcm.keystore.proto.v1.OwnerType ownerType(OwnerType t) {
    return switch (t) {
      case TENANT -> org.openkcm.keystore.proto.v1.OwnerType.TENANT;
      case SERVICE -> org.openkcm.keystore.proto.v1.OwnerType.SERVICE;
      case NODE -> org.openkcm.keystore.proto.v1.OwnerType.NODE;
    };
  }

  public static OwnerType ownerType(
      org.openkcm.keystore.proto.v1.OwnerType t, Supplier<InvalidKeyRequestException> invalid)
      throws InvalidKeyRequestException {
    return switch (t) {
      case TENANT -> OwnerType.TENANT;
      case SERVICE -> OwnerType.SERVICE;
      case NODE -> OwnerType.NODE;
      case OWNER_TYPE_UNSPECIFIED, UNRECOGNIZED -> throw invalid.get();
    };
  }

  public static org.openkcm.keystore.proto.v1.BackendState state(BackendState s) {
    return switch (s) {
      case UP -> org.openkcm.keystore.proto.v1.BackendState.UP;
      case SEALED -> org.openkcm.keystore.proto.v1.BackendState.SEALED;
      case UNAVAILABLE -> org.openkcm.keystore.proto.v1.BackendState.UNAVAILABLE;
      case DEGRADED -> org.openkcm.keystore.proto.v1.BackendState.DEGRADED;
    };
  }

  /** A state no constant names reads as {@link BackendState#UNAVAILABLE}: never a healthier one. */
  public static BackendState state(org.openkcm.keystore.proto.v1.BackendState s) {
    return switch (s) {
      case UP -> BackendState.UP;
      case SEALED -> BackendState.SEALED;
      case DEGRADED -> BackendState.DEGRADED;
      case UNAVAILABLE, BACKEND_STATE_UNSPECIFIED, UNRECOGNIZED -> BackendState.UNAVAILABLE;
    };
  }

  // --- messages ----------------------------------------------------------------------------------

  public static org.openkcm.keystore.proto.v1.KeyRef ref(KeyRef r) {
    return org.openkcm.keystore.proto.v1.KeyRef.newBuilder()
        .setId(r.id())
        .setVersion(r.version())
        .build();
  }

  public static org.openkcm.keystore.proto.v1.Owner owner(Owner o) {
    return org.openkcm.keystore.proto.v1.Owner.newBuilder()
        .setType(ownerType(o.type()))
        .setId(o.id())
        .build();
  }

  public static org.openkcm.keystore.proto.v1.KeyMetadata metadata(KeyMetadata m) {
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

  /**
   * The fields every reader takes as they are, in a builder; the caller adds the parts it checks
   * its own way (tier, status, owner, parent).
   */
  public static KeyMetadata.Builder plainFields(org.openkcm.keystore.proto.v1.KeyMetadata m)
      throws InvalidKeyRequestException {
    KeyMetadata.Builder b =
        KeyMetadata.builder()
            .ref(KeyRef.of(m.getId(), m.getVersion()))
            .algorithm(m.getAlgorithm())
            .keySize(m.getKeySize())
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
    return b;
  }

  public static Timestamp time(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }

  public static Instant instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }
}
