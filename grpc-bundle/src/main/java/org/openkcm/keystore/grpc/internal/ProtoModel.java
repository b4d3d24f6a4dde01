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
import org.openkcm.keystore.protomodel.ProtoMapping;
import org.openkcm.keystore.spi.BackendState;

/**
 * What the gRPC endpoint reads from and writes to its clients: the shared mapping ({@link
 * ProtoMapping}, exhaustive in both directions) with the endpoint's own words for bad input, each
 * naming the request field. Fields are covered by KeystoreContractDriftTest and the round-trip
 * test.
 */
final class ProtoModel {
  private ProtoModel() {}

  // --- enums -------------------------------------------------------------------------------------

  static org.openkcm.keystore.proto.v1.KeyTier tier(KeyTier t) {
    return ProtoMapping.tier(t);
  }

  static KeyTier tier(String field, org.openkcm.keystore.proto.v1.KeyTier t)
      throws InvalidKeyRequestException {
    return ProtoMapping.tier(
        t, () -> new InvalidKeyRequestException(field, "must be L2, L3 or L4"));
  }

  static org.openkcm.keystore.proto.v1.KeyStatus status(KeyStatus s) {
    return ProtoMapping.status(s);
  }

  static KeyStatus status(String field, org.openkcm.keystore.proto.v1.KeyStatus s)
      throws InvalidKeyRequestException {
    return ProtoMapping.status(
        s, () -> new InvalidKeyRequestException(field, "is not a key status"));
  }

  static org.openkcm.keystore.proto.v1.OwnerType ownerType(OwnerType t) {
    return ProtoMapping.ownerType(t);
  }

  static OwnerType ownerType(String field, org.openkcm.keystore.proto.v1.OwnerType t)
      throws InvalidKeyRequestException {
    return ProtoMapping.ownerType(
        t, () -> new InvalidKeyRequestException(field, "must be TENANT, SERVICE or NODE"));
  }

  static org.openkcm.keystore.proto.v1.BackendState state(BackendState s) {
    return ProtoMapping.state(s);
  }

  static BackendState state(org.openkcm.keystore.proto.v1.BackendState s) {
    return ProtoMapping.state(s);
  }

  // --- messages ----------------------------------------------------------------------------------

  static org.openkcm.keystore.proto.v1.KeyRef ref(KeyRef r) {
    return ProtoMapping.ref(r);
  }

  static KeyRef ref(String field, org.openkcm.keystore.proto.v1.KeyRef r)
      throws InvalidKeyRequestException {
    if (r.getId().isEmpty()) {
      throw new InvalidKeyRequestException(field + ".id", "is required");
    }
    return KeyRef.of(r.getId(), r.getVersion());
  }

  static org.openkcm.keystore.proto.v1.Owner owner(Owner o) {
    return ProtoMapping.owner(o);
  }

  static Owner owner(String field, org.openkcm.keystore.proto.v1.Owner o)
      throws InvalidKeyRequestException {
    return Owner.of(ownerType(field + ".type", o.getType()), o.getId());
  }

  static org.openkcm.keystore.proto.v1.KeyMetadata metadata(KeyMetadata m) {
    return ProtoMapping.metadata(m);
  }

  static KeyMetadata metadata(String field, org.openkcm.keystore.proto.v1.KeyMetadata m)
      throws InvalidKeyRequestException {
    KeyMetadata.Builder b =
        ProtoMapping.plainFields(m)
            .tier(tier(field + ".tier", m.getTier()))
            .status(status(field + ".status", m.getStatus()))
            .owner(owner(field + ".owner", m.getOwner()));
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
    return ProtoMapping.time(i);
  }

  static Instant instant(Timestamp t) {
    return ProtoMapping.instant(t);
  }
}
