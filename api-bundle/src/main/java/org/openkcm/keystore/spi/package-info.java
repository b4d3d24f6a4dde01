/**
 * What a storage backend implements: {@link org.openkcm.keystore.spi.Keystore} and, for the key
 * hierarchy's root, {@link org.openkcm.keystore.spi.RootKeyProvider}. Backends only ever receive
 * sealed ("red") records; they never see plaintext key material.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package org.openkcm.keystore.spi;
