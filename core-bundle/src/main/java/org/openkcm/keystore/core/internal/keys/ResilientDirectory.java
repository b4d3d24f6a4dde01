package org.openkcm.keystore.core.internal.keys;

import java.util.List;
import org.openkcm.keystore.core.internal.backend.BackendDirectory;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.spi.Keystore;

/** The crypto core's view of the backends: every backend wrapped in {@link ResilientKeystore}, listings retried. */
final class ResilientDirectory implements BackendDirectory {
    private final BackendDirectory delegate;

    private ResilientDirectory(BackendDirectory delegate) {
        this.delegate = delegate;
    }

    static BackendDirectory wrap(BackendDirectory d) {
        return d instanceof ResilientDirectory ? d : new ResilientDirectory(d);
    }

    @Override
    public Keystore route(KeyMetadata newKey) throws KeystoreException {
        return ResilientKeystore.wrap(delegate.route(newKey));
    }

    @Override
    public List<Keystore> configured() {
        return delegate.configured().stream().map(ResilientKeystore::wrap).toList();
    }

    @Override
    public Keystore backend(String name) throws KeystoreException {
        return ResilientKeystore.wrap(delegate.backend(name));
    }

    @Override
    public Page<KeyMetadata> list(KeyFilter filter) throws KeystoreException {
        return Retries.idempotent(() -> delegate.list(filter));
    }
}
