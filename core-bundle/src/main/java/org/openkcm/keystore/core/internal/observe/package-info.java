/**
 * The runtime's one interception point: the {@code KeyService} and {@code KeystoreAdmin} services
 * other bundles get are the core's, wrapped so that every call is admitted by and reported to the
 * registered {@link org.openkcm.keystore.audit.OperationObserver}s (audit trail, metrics). Private.
 */
package org.openkcm.keystore.core.internal.observe;
