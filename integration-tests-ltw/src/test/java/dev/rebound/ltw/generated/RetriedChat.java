package dev.rebound.ltw.generated;

import dev.rebound.annotations.Retry;

/**
 * A bean type with a policy: a producer's bean of this type gets ArC's client proxy, {@code RetriedChat_ClientProxy}
 * over Object; Micronaut implements it as a declarative client, {@code RetriedChat$Intercepted}.
 */
public interface RetriedChat {
    @Retry(attempts = 3, delay = 0)
    String ask(String q);
}
