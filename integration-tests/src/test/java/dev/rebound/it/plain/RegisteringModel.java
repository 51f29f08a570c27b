package dev.rebound.it.plain;

import dev.rebound.annotations.Retry;
import dev.rebound.runtime.Rebound;
import jakarta.inject.Inject;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Compiled by javac alone (Guice's door). Its constructor hands itself to a holder ({@link #made}, as a thread it
 * starts or a scheduler would hold it) and, when told to, to a registry that makes what it is given resilient
 * ({@code Rebound.wrap}, which returns an object that applies its policies already as it is), as an application's
 * registry or event bus would; its {@code @Inject} method then fails when told to, after it escaped. Each copy
 * ({@link #copy}) shares its counters.
 */
public class RegisteringModel implements GuiceReach.Model, Cloneable {

    /** Attempts of {@link #chat} on any instance since the last {@link #reset}. */
    public static final AtomicInteger CALLS = new AtomicInteger();
    /** What {@code Rebound.isResilient(this)} said in the constructor of the last instance made. */
    public static volatile boolean resilientWhileMade;
    /** What the registry made of the last instance made, in its constructor. */
    public static volatile GuiceReach.Model registered;
    /** The last instance made, as the registry holds it. */
    public static volatile RegisteringModel made;
    private static volatile boolean registers;
    private static volatile boolean failsConfiguration;

    /**
     * Forgets the last instance; the next ones hand themselves to the registry in their constructor ({@code
     * registers}) and fail their {@code @Inject} method ({@code failsConfiguration}), or not.
     */
    public static void reset(boolean registers, boolean failsConfiguration) {
        CALLS.set(0);
        resilientWhileMade = false;
        registered = null;
        made = null;
        RegisteringModel.registers = registers;
        RegisteringModel.failsConfiguration = failsConfiguration;
    }

    @Inject
    public RegisteringModel() {
        made = this;
        if (registers) {
            resilientWhileMade = Rebound.isResilient(this);
            registered = Rebound.wrap(GuiceReach.Model.class, this).build();
        }
    }

    @Inject
    void configure() {
        if (failsConfiguration) {
            throw new IllegalStateException("not configured");
        }
    }

    @Override
    @Retry(attempts = 3, delay = 0)
    public String chat(String prompt) {
        throw new IllegalStateException("down " + CALLS.incrementAndGet());
    }

    /** A copy, as {@code clone()} makes it: the same interceptor chain. */
    public RegisteringModel copy() {
        try {
            return (RegisteringModel) clone();
        } catch (CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
    }
}
