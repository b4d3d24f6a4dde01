package org.openkcm.keystore.core.internal.backend;

import org.openkcm.keystore.api.BackendPools;
import org.openkcm.keystore.api.KeystoreAdmin;

/**
 * The plugin manager's operator view, before the audit door: the one {@code ObservedAdmin} wraps
 * and registers as the public {@link KeystoreAdmin}. A type of its own so the door binds to it by
 * type (no target filter, no cast), and internal so no other bundle can bind to it at all. Its pool
 * figures are offered publicly by {@link BackendPoolsView}.
 */
public interface CoreAdmin extends KeystoreAdmin, BackendPools {}
