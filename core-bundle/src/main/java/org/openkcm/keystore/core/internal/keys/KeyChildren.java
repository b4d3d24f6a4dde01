package org.openkcm.keystore.core.internal.keys;

import java.util.LinkedHashSet;
import java.util.Set;
import org.openkcm.keystore.core.internal.backend.BackendDirectory;
import org.openkcm.keystore.core.internal.backend.Pages;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Limits;

/**
 * Finds a key's children across every backend by the reserved parent tag, a filter the backends
 * evaluate themselves. An L2's children (L3) are looked up without tier or owner in the filter, so
 * no secondary index that a backend writer could edit decides it (OpenBao walks its record folder);
 * an L3's children (L4, usually in a backend out of such a writer's reach) through the L4 tier,
 * which keeps an L3 destroy from reading every record of the backend. "Live" = any version not
 * DESTROYED; a child whose listed state fails authentication counts as live (it blocks a destroy;
 * it is never deleted by a cascade, see {@link KeyDestroyer}).
 */
final class KeyChildren {
  private final BackendDirectory directory;

  KeyChildren(BackendDirectory directory) {
    this.directory = directory;
  }

  /**
   * @return ids of keys with a live version under {@code parentId}, or under exactly {@code
   *     parentVersion} if given
   */
  Set<String> live(String parentId, KeyTier parentTier, KeyRef parentVersion)
      throws KeystoreException {
    Set<String> ids = new LinkedHashSet<>();
    if (parentTier == KeyTier.L4) {
      return ids;
    }
    KeyTier childTier = parentTier == KeyTier.L2 ? KeyTier.L3 : KeyTier.L4;
    KeyFilter f = filter(childTier, parentId).pageSize(Limits.MAX_PAGE_SIZE).build();
    Pages.walk(
        directory::list,
        f,
        Integer.MAX_VALUE,
        m -> {
          if (m.tier() == childTier
              && (StateKeys.isCorrupt(m) || m.status() != KeyStatus.DESTROYED)
              && (parentVersion == null || parentVersion.equals(m.parent().orElse(null)))) {
            ids.add(m.id());
          }
          return true;
        });
    return ids;
  }

  private static KeyFilter.Builder filter(KeyTier childTier, String parentId)
      throws InvalidKeyRequestException {
    KeyFilter.Builder b = KeyFilter.builder().tag(ReservedTags.PARENT, parentId);
    return childTier == KeyTier.L4 ? b.tier(KeyTier.L4) : b;
  }

  void refuseIfWrapping(KeyMetadata parent, KeyRef version) throws KeystoreException {
    Set<String> live = live(parent.id(), parent.tier(), version);
    if (!live.isEmpty()) {
      throw new InvalidKeyRequestException(
          "status",
          "key "
              + version
              + " still wraps "
              + live.size()
              + " live child key(s), e.g. '"
              + live.iterator().next()
              + "'; destroy or rotate them first");
    }
  }
}
