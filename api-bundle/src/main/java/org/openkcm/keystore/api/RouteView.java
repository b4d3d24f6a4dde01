package org.openkcm.keystore.api;

/**
 * One routing rule as the operator sees it, in evaluation order (first match wins): a readable
 * condition (e.g. {@code tier=L4 owner=tenant:eu-*}) and the backend new keys matching it go to.
 */
public record RouteView(int position, String condition, String backend) {}
