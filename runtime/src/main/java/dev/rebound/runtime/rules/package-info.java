/**
 * The one rule set: every bound and rule of Rebound's policies, written once, with one wording.
 *
 * <p>Used by the annotation reader (at bind or weave time), by the builders ({@code RetryPolicy.Builder},
 * {@code CircuitBreakerPolicy.Builder}, {@code Rebound.wrap(...)}) and by the annotation processor that
 * runs in users' builds, so the same bad value gets the same words whichever way it came in. Each rule
 * works on plain values (ints, longs, doubles, class names, {@link dev.rebound.runtime.rules.TimeAmount}
 * and {@link dev.rebound.runtime.rules.FailureType}), never on reflection objects, so that javac's element
 * model can feed it too; nothing here logs, holds state or loads a logging framework.
 *
 * <p>A rule returns {@code null} when the value is fine, else one problem that names the attribute and the
 * value: {@code "attempts = 0 is outside 1..100"}. Readers of annotations name the attribute as written
 * ({@code "@Retry.attempts"}) and put the method in front ({@code "Chat.chat(String): @Retry.attempts = 0
 * is outside 1..100"}, see {@link dev.rebound.runtime.rules.Rules#at}); builders throw the problem as an
 * {@link java.lang.IllegalArgumentException} ({@link dev.rebound.runtime.rules.Rules#require}).
 *
 * <p>This package is for Rebound's doors and its processor: public so that the weaver can use it
 * without reaching into the runtime's internals; its API may change between versions.
 */
package dev.rebound.runtime.rules;
