namespace Inference.Ingest.Hubble.Files;

/// <summary>
/// An input that can be read only once (stdin), read twice: first to recognise content an earlier import stored, then
/// to import it. What the first reading takes is kept in an unnamed temporary file and is what the second
/// reading gets first; the rest comes straight from the input. Nothing is kept once <see cref="Rewind"/> was called.
/// </summary>
internal sealed class RewindableInput(Stream inner) : ReadOnlyStream
{
    private FileStream? _spool;
    private bool _replaying;

    /// <summary>Ends the first reading: the next reads start again from the beginning.</summary>
    public void Rewind()
    {
        if (_replaying)
        {
            throw new InvalidOperationException("the input was rewound already");
        }

        _replaying = true;
        _spool?.Flush();
        _spool?.Seek(0, SeekOrigin.Begin);
    }

    public override int Read(Span<byte> buffer)
    {
        if (_replaying && _spool is not null)
        {
            var replayed = _spool.Read(buffer);
            if (replayed > 0)
            {
                return replayed;
            }

            Drop();
        }

        var read = inner.Read(buffer);
        if (!_replaying && read > 0)
        {
            Spool().Write(buffer[..read]);
        }

        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_replaying && _spool is not null)
        {
            var replayed = await _spool.ReadAsync(buffer, cancellationToken);
            if (replayed > 0)
            {
                return replayed;
            }

            Drop();
        }

        var read = await inner.ReadAsync(buffer, cancellationToken);
        if (!_replaying && read > 0)
        {
            await Spool().WriteAsync(buffer[..read], cancellationToken);
        }

        return read;
    }

    private FileStream Spool()
    {
        if (_spool is null)
        {
            var path = Path.Combine(Path.GetTempPath(), $"inference-stdin-{Guid.NewGuid():N}.spool");
            var windows = OperatingSystem.IsWindows();
            _spool = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16,
                (windows ? FileOptions.DeleteOnClose : FileOptions.None) | FileOptions.Asynchronous);
            if (!windows)
            {
                // gone from the directory at once (the open handle keeps the bytes): nothing is left behind if the process is killed
                File.Delete(path);
            }
        }

        return _spool;
    }

    private void Drop()
    {
        _spool?.Dispose();
        _spool = null;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Drop();
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        Drop();
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }
}
