-- Schema version 8: a file import records its progress with every batch it stores, not only at its end. A row with
-- `complete = false` is an import still running, or one whose process died (killed, out of memory, power lost): its
-- first `lines` lines were read and every connection they closed is stored, and `resume_from` (version 9) is where the
-- connections still open then began. Importing the same content again reads those lines once more only to finish the
-- open connections (their events before `resume_from`; the rest are stored), so nothing stored is counted twice. The
-- import's last batch replaces its progress row with the `complete` one. Rows written before this version are complete.
ALTER TABLE imported_files ADD COLUMN complete BOOLEAN DEFAULT true;
