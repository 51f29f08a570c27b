package dev.rebound.weaver.internal;

/**
 * Added by the Rebound aspect ({@code declare parents}) to every type of a woven build that declares a
 * policy: an annotation on the type or on one of its own methods. Its subtypes are the classes that
 * carry a policy, whatever their visibility or shape. Never implement it yourself.
 */
public interface DeclaresPolicy {
}
