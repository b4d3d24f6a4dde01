package org.openkcm.keystore.grpc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.proto.v1.KeyListResponse;

/**
 * A listing the core answered partially reaches the gRPC client as partial, naming the backends.
 */
class ListingsTest {
  private final ClientGrant grant =
      new ClientGrant("c", List.of(new Glob("tenant:a")), List.of(new Glob("*")));

  @Test
  void aPartialPageNamesTheUnavailableBackendsAndKeepsWhatTheOthersHold() throws Exception {
    KeyMetadata mine = key("a-1", "tenant:a");
    KeyMetadata foreign = key("b-1", "tenant:b");
    Listings listings =
        new Listings(f -> new Page<>(List.of(mine, foreign), null, List.of("openbao")));
    Listings.Visible page = listings.list(grant, KeyFilter.all());
    assertThat(page.items()).extracting(m -> m.getId()).containsExactly("a-1");
    assertThat(page.unavailableBackends()).containsExactly("openbao");
    KeyListResponse wire =
        KeyListResponse.newBuilder()
            .addAllItems(page.items())
            .addAllUnavailableBackends(page.unavailableBackends())
            .build();
    assertThat(KeyListResponse.parseFrom(wire.toByteArray()).getUnavailableBackendsList())
        .containsExactly("openbao");
  }

  @Test
  void aCompletePageNamesNoBackend() throws Exception {
    Listings listings = new Listings(f -> new Page<>(List.of(key("a-1", "tenant:a")), null));
    assertThat(listings.list(grant, KeyFilter.all()).unavailableBackends()).isEmpty();
  }

  private static KeyMetadata key(String id, String owner)
      throws org.openkcm.keystore.model.KeystoreException {
    return KeyMetadata.builder()
        .ref(KeyRef.of(id, 1))
        .tier(KeyTier.L2)
        .owner(Owner.parse(owner))
        .build();
  }
}
