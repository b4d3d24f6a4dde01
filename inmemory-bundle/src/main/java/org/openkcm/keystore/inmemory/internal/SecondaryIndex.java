package org.openkcm.keystore.inmemory.internal;

import java.util.EnumMap;
import java.util.Map;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Owner;

/**
 * Owner and tier indexes over the record map, so that listing by owner or tier costs in proportion to that
 * owner's or tier's records rather than to the whole store. An index may briefly hold a ref whose record
 * is gone (delete removes the record first); listing skips those.
 */
final class SecondaryIndex {
    private final Map<Owner, NavigableSet<KeyRef>> byOwner = new ConcurrentHashMap<>();
    private final Map<KeyTier, NavigableSet<KeyRef>> byTier = new EnumMap<>(KeyTier.class);

    SecondaryIndex() {
        for (KeyTier t : KeyTier.values()) {
            byTier.put(t, new ConcurrentSkipListSet<>());
        }
    }

    void add(KeyMetadata m) {
        byOwner.computeIfAbsent(m.owner(), o -> new ConcurrentSkipListSet<>()).add(m.ref());
        byTier.get(m.tier()).add(m.ref());
    }

    void remove(KeyMetadata m) {
        byOwner.computeIfPresent(m.owner(), (o, refs) -> {
            refs.remove(m.ref());
            return refs.isEmpty() ? null : refs;
        });
        byTier.get(m.tier()).remove(m.ref());
    }

    /**
     * @return the narrowest ordered set of refs that holds every match of {@code filter}: the refs from an
     *         exact id or id prefix onwards (the caller stops at {@link #pastEnd}), the owner's refs, the
     *         tier's refs, or everything
     */
    NavigableSet<KeyRef> candidates(KeyFilter filter, NavigableSet<KeyRef> all) {
        String start = filter.keyId().orElse(filter.idPrefix().orElse(null));
        if (start != null) {
            try {
                return all.tailSet(KeyRef.of(start, 1), true);
            } catch (InvalidKeyRequestException e) {
                throw new IllegalStateException("the filter validated this id", e);
            }
        }
        if (filter.owner().isPresent()) {
            NavigableSet<KeyRef> owned = byOwner.get(filter.owner().get());
            return owned == null ? new ConcurrentSkipListSet<>() : owned;
        }
        if (filter.tier().isPresent()) {
            return byTier.get(filter.tier().get());
        }
        return all;
    }

    /**
     * @return whether {@code ref}, met in ascending order, lies beyond every possible match of an exact-id
     *         or id-prefix filter (ids with a common prefix are contiguous in string order)
     */
    static boolean pastEnd(KeyFilter filter, KeyRef ref) {
        if (filter.keyId().isPresent()) {
            return !filter.keyId().get().equals(ref.id());
        }
        return filter.idPrefix().isPresent() && !ref.id().startsWith(filter.idPrefix().get());
    }
}
