/**
 * Routing of new keys to backends by tier, owner and tags; migration of stored keys between
 * backends. Private.
 */
package org.openkcm.keystore.core.internal.routing;
