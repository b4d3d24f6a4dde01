/**
 * How the core's components find each other without showing other bundles its internals: the core's
 * collaborators are SCR services like any other, and a framework service hook keeps every
 * registration of an internal type out of other bundles' sight. Private.
 *
 * <p>The package sorts first among the core's components on purpose: SCR enables a bundle's
 * components in the order of its {@code Service-Component} header, which bnd writes sorted, so the
 * hook is registered before any internal service is.
 */
package org.openkcm.keystore.core.internal.access;
