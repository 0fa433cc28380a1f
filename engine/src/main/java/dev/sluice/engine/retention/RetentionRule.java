package dev.sluice.engine.retention;

/** One rule of a {@link RetentionPolicy}; a kept snapshot names every rule that keeps it. */
public enum RetentionRule {
    LAST("last"),
    HOURLY("hourly"),
    DAILY("daily"),
    WEEKLY("weekly"),
    MONTHLY("monthly"),
    YEARLY("yearly"),
    WITHIN("within");

    private final String label;

    RetentionRule(String label) {
        this.label = label;
    }

    /** The rule's name as the CLI prints it ({@code daily}); the option is {@code --keep-<label>}. */
    public String label() {
        return label;
    }
}
