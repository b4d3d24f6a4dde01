package org.openkcm.keystore.grpc.internal;

import org.openkcm.keystore.api.KeyService;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Limits;
import org.openkcm.keystore.model.Page;

/**
 * Owner checks that come <em>before</em> the operation, so that a key of another owner answers
 * exactly like a missing key (the same NOT_FOUND), never with a state-dependent error that would
 * reveal it.
 */
final class OwnerChecks {
  private final KeyService keys;
  private final StatusMapper errors;

  OwnerChecks(KeyService keys, StatusMapper errors) {
    this.keys = keys;
    this.errors = errors;
  }

  /**
   * @return the metadata of one version, if this client may see it
   */
  KeyMetadata visible(ClientGrant grant, KeyRef ref) throws KeystoreException {
    KeyMetadata m;
    try {
      m = keys.metadata(ref);
    } catch (KeyNotFoundException e) {
      throw errors.notFound("key");
    }
    return owned(grant, m);
  }

  /**
   * @return the metadata of the highest version, if this client may see it
   */
  KeyMetadata latest(ClientGrant grant, String keyId) throws KeystoreException {
    Limits.checkId("key_id", keyId);
    return owned(grant, latest(keyId));
  }

  private KeyMetadata owned(ClientGrant grant, KeyMetadata m) {
    if (!grant.owns(m.owner())) {
      throw errors.notFound("key");
    }
    return m;
  }

  /** Checks a key id (version 1 carries the owner of every version; its metadata is cached). */
  KeyMetadata visible(ClientGrant grant, String keyId) throws KeystoreException {
    Limits.checkId("key_id", keyId);
    return visible(grant, KeyRef.of(keyId, 1));
  }

  private KeyMetadata latest(String keyId) throws KeystoreException {
    KeyFilter f = KeyFilter.builder().keyId(keyId).pageSize(Limits.MAX_PAGE_SIZE).build();
    KeyMetadata last = null;
    while (true) {
      Page<KeyMetadata> p = keys.list(f);
      if (!p.items().isEmpty()) {
        last = p.items().get(p.items().size() - 1);
      }
      if (p.nextCursor().isEmpty()) {
        break;
      }
      f = f.withCursor(p.nextCursor().get());
    }
    if (last == null) {
      throw errors.notFound("key");
    }
    return last;
  }
}
