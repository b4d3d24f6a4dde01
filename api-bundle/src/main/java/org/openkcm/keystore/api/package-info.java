/**
 * What callers use: the crypto core facade {@link org.openkcm.keystore.api.KeyService}, the
 * operator view {@link org.openkcm.keystore.api.KeystoreAdmin} and the routed record store {@link
 * org.openkcm.keystore.api.RoutedRecords}, the backends' call pools {@link
 * org.openkcm.keystore.api.BackendPools}. All are provided by the core bundle.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.3.0")
package org.openkcm.keystore.api;
