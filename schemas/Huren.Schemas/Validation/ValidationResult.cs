namespace Huren.Schemas.Validation;

/// <summary>The outcome of a validator: valid, or the list of field errors in the order they were found.</summary>
public sealed class ValidationResult
{
    private static readonly FieldError[] NoErrors = [];

    private ValidationResult(IReadOnlyList<FieldError> errors) => Errors = errors;

    /// <summary>The result with no errors.</summary>
    public static ValidationResult Valid { get; } = new(NoErrors);

    /// <summary>A result holding <paramref name="errors"/>; valid when there are none.</summary>
    public static ValidationResult Of(IEnumerable<FieldError> errors)
    {
        var list = errors.ToArray();
        return list.Length == 0 ? Valid : new ValidationResult(list);
    }

    /// <summary>The errors; empty when valid.</summary>
    public IReadOnlyList<FieldError> Errors { get; }

    /// <summary>True when there are no errors.</summary>
    public bool IsValid => Errors.Count == 0;

    /// <summary>True when some error is about <paramref name="field"/> (exact camelCase name).</summary>
    public bool HasErrorFor(string field)
    {
        foreach (var e in Errors)
        {
            if (string.Equals(e.Field, field, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    /// <summary><c>valid</c>, or the messages joined with <c>"; "</c>.</summary>
    public override string ToString() => IsValid ? "valid" : string.Join("; ", Errors.Select(e => e.Message));
}

/// <summary>
/// Collects errors while a validator runs. It keeps the first <see cref="MaxErrors"/> and counts the rest, so a body
/// with a hundred thousand bad fields gets a short answer.
/// </summary>
internal sealed class ErrorList
{
    /// <summary>How many errors are kept; the rest are counted in one last error.</summary>
    public const int MaxErrors = 20;

    private readonly List<FieldError> _errors = [];
    private int _more;

    public int Count => _errors.Count + _more;

    public void Add(string field, string problem)
    {
        if (_errors.Count < MaxErrors) _errors.Add(FieldError.Of(field, problem));
        else _more++;
    }

    public void Add(FieldError? error)
    {
        if (error is null) return;
        if (_errors.Count < MaxErrors) _errors.Add(error);
        else _more++;
    }

    public void AddRange(IEnumerable<FieldError> errors)
    {
        foreach (var error in errors) Add(error);
    }

    public ValidationResult ToResult() =>
        ValidationResult.Of(_more == 0 ? _errors : [.. _errors, FieldError.Of("body", $"and {_more} more error(s) (only the first {MaxErrors} are listed)")]);
}
