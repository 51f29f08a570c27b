package dev.rebound.runtime.spi;

/**
 * Where the instances of {@code @Fallback(to = ...)} classes come from when no injector provides
 * them. The default creates each class once through its public no-arg constructor; replace it
 * (see {@code ReboundSettings.Builder#alternatives}) to take them from your own container.
 */
@FunctionalInterface
public interface AlternativeResolver {

    /**
     * The instance to call for {@code type}. Called once, when the policy is resolved.
     *
     * @throws RuntimeException with a clear message if {@code type} can't be provided
     */
    Object instanceOf(Class<?> type);
}
