namespace Inference.Core.Policies;

public enum DiagnosticSeverity : byte
{
    Warning,
    Error,
}

/// <summary>A problem found while loading policies, naming the file, the line and (when known) the policy.</summary>
public sealed record PolicyDiagnostic(DiagnosticSeverity Severity, string File, int Line, string? Policy, string Message)
{
    public override string ToString()
    {
        var level = Severity == DiagnosticSeverity.Error ? "error" : "warning";
        var policy = Policy is null ? "" : $" {Policy}:";
        return $"{File}:{Line}: {level}:{policy} {Message}";
    }
}
