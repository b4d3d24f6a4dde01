package org.openkcm.keystore.pluginhost.internal;

import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.protomodel.ProtoMapping;
import org.openkcm.keystore.spi.BackendState;

/**
 * What the host reads from and writes to a plugin: the shared mapping ({@link ProtoMapping},
 * exhaustive in both directions) with the host's own words. What comes back from a plugin is
 * validated like any input: a plugin is not trusted to send well-formed metadata.
 */
final class Protos {
  private Protos() {}

  static BackendState state(org.openkcm.keystore.proto.v1.BackendState s) {
    return ProtoMapping.state(s);
  }

  static org.openkcm.keystore.proto.v1.KeyRef ref(KeyRef r) {
    return ProtoMapping.ref(r);
  }

  static org.openkcm.keystore.proto.v1.KeyMetadata metadata(KeyMetadata m) {
    return ProtoMapping.metadata(m);
  }

  static KeyMetadata metadata(org.openkcm.keystore.proto.v1.KeyMetadata m)
      throws InvalidKeyRequestException {
    KeyMetadata.Builder b =
        ProtoMapping.plainFields(m)
            .tier(
                ProtoMapping.tier(
                    m.getTier(),
                    () -> new InvalidKeyRequestException("tier", "the plugin sent no valid tier")))
            .status(
                ProtoMapping.status(
                    m.getStatus(),
                    () ->
                        new InvalidKeyRequestException(
                            "status", "the plugin sent no valid status")))
            .owner(
                Owner.of(
                    ProtoMapping.ownerType(
                        m.getOwner().getType(),
                        () ->
                            new InvalidKeyRequestException(
                                "owner.type", "the plugin sent no valid owner type")),
                    m.getOwner().getId()));
    if (m.hasParent()) {
      b.parent(KeyRef.of(m.getParent().getId(), m.getParent().getVersion()));
    }
    return b.build();
  }

  static org.openkcm.keystore.proto.v1.KeyFilter filter(KeyFilter f) {
    org.openkcm.keystore.proto.v1.KeyFilter.Builder b =
        org.openkcm.keystore.proto.v1.KeyFilter.newBuilder().setPageSize(f.pageSize());
    f.owner().ifPresent(o -> b.setOwner(ProtoMapping.owner(o)));
    f.tier().ifPresent(t -> b.setTier(ProtoMapping.tier(t)));
    f.statuses().forEach(s -> b.addStatuses(ProtoMapping.status(s)));
    f.algorithm().ifPresent(b::setAlgorithm);
    f.expiresBefore().ifPresent(t -> b.setExpiresBefore(ProtoMapping.time(t)));
    f.expiresAfter().ifPresent(t -> b.setExpiresAfter(ProtoMapping.time(t)));
    b.putAllTags(f.tags());
    f.idPrefix().ifPresent(b::setIdPrefix);
    f.keyId().ifPresent(b::setKeyId);
    f.after().ifPresent(a -> b.setCursor(KeyFilter.cursorAfter(a)));
    return b.build();
  }
}
