package org.openkcm.keystore.grpc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Descriptors.FieldDescriptor;
import java.time.Instant;
import org.junit.jupiter.api.Test;
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
 * The mapping keeps every field: a field added to the proto but not mapped fails here (it stays
 * unset).
 */
class ProtoModelTest {

  @Test
  void metadataRoundTripsWithEveryProtoFieldSet() throws Exception {
    KeyMetadata m =
        KeyMetadata.builder()
            .ref(KeyRef.of("k-7", 3))
            .tier(KeyTier.L4)
            .algorithm("AES")
            .keySize(256)
            .status(KeyStatus.DEPRECATED)
            .createdAt(Instant.parse("2026-01-01T00:00:00Z"))
            .updatedAt(Instant.parse("2026-02-01T00:00:00Z"))
            .expiresAt(Instant.parse("2027-01-01T00:00:00.5Z"))
            .owner(Owner.service("acme-billing"))
            .parent(KeyRef.of("l3", 2))
            .tag("team", "payments")
            .build();
    org.openkcm.keystore.proto.v1.KeyMetadata p = ProtoModel.metadata(m);
    for (FieldDescriptor f : p.getDescriptorForType().getFields()) {
      assertThat(f.isRepeated() ? p.getRepeatedFieldCount(f) > 0 : p.hasField(f))
          .as("proto field " + f.getName() + " set")
          .isTrue();
    }
    assertThat(ProtoModel.metadata("metadata", p)).isEqualTo(m);
  }

  @Test
  void everyEnumConstantMapsBothWays() throws Exception {
    for (KeyTier t : KeyTier.values()) {
      assertThat(ProtoModel.tier("tier", ProtoModel.tier(t))).isEqualTo(t);
    }
    for (KeyStatus s : KeyStatus.values()) {
      assertThat(ProtoModel.status("status", ProtoModel.status(s))).isEqualTo(s);
    }
    for (OwnerType o : OwnerType.values()) {
      assertThat(ProtoModel.ownerType("owner.type", ProtoModel.ownerType(o))).isEqualTo(o);
    }
    for (BackendState b : BackendState.values()) {
      assertThat(ProtoModel.state(ProtoModel.state(b))).isEqualTo(b);
    }
  }

  @Test
  void unspecifiedEnumsAreInvalidArgumentsNamingTheField() {
    assertThatThrownBy(
            () ->
                ProtoModel.tier("tier", org.openkcm.keystore.proto.v1.KeyTier.KEY_TIER_UNSPECIFIED))
        .isInstanceOf(InvalidKeyRequestException.class)
        .extracting(e -> ((InvalidKeyRequestException) e).field())
        .isEqualTo("tier");
  }

  @Test
  void filterKeepsEveryCriterion() throws Exception {
    KeyFilter f =
        ProtoModel.filter(
            org.openkcm.keystore.proto.v1.KeyFilter.newBuilder()
                .setOwner(ProtoModel.owner(Owner.tenant("acme")))
                .setTier(org.openkcm.keystore.proto.v1.KeyTier.L3)
                .addStatuses(org.openkcm.keystore.proto.v1.KeyStatus.ACTIVE)
                .setAlgorithm("AES")
                .setExpiresBefore(ProtoModel.time(Instant.parse("2030-01-01T00:00:00Z")))
                .setExpiresAfter(ProtoModel.time(Instant.parse("2020-01-01T00:00:00Z")))
                .putTags("team", "x")
                .setIdPrefix("k-")
                .setKeyId("k-1")
                .setPageSize(7)
                .build());
    assertThat(f.owner()).contains(Owner.tenant("acme"));
    assertThat(f.tier()).contains(KeyTier.L3);
    assertThat(f.statuses()).containsExactly(KeyStatus.ACTIVE);
    assertThat(f.algorithm()).contains("AES");
    assertThat(f.expiresBefore()).contains(Instant.parse("2030-01-01T00:00:00Z"));
    assertThat(f.expiresAfter()).contains(Instant.parse("2020-01-01T00:00:00Z"));
    assertThat(f.tags()).containsEntry("team", "x");
    assertThat(f.idPrefix()).contains("k-");
    assertThat(f.keyId()).contains("k-1");
    assertThat(f.pageSize()).isEqualTo(7);
  }
}
