//! Progress on stderr, for every long job (scan, pseudonymize, check, aggregate, risk): a bar
//! (bytes done / total, throughput, ETA) when the total is known, else the bytes read so far
//! and the throughput (jobs that read their inputs more than once). Shown only when stderr is
//! a terminal and `--quiet` is off. Readers bump a shared byte counter; a ticker thread draws.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// A running progress display; finishes when dropped.
pub struct Progress {
    bar: ProgressBar,
    stop: Arc<AtomicBool>,
    ticker: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts a display of `counter` (over `total` bytes, if known); hidden when `quiet` or
    /// when stderr is not a terminal.
    pub fn start(total: Option<u64>, counter: Arc<AtomicU64>, quiet: bool) -> Progress {
        let visible = shown(quiet, std::io::stderr().is_terminal());
        let bar = if visible {
            let b = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
            let template = match total {
                Some(_) => "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}",
                None => "{spinner} {bytes} read, {bytes_per_sec}, {elapsed}",
            };
            b.set_style(ProgressStyle::with_template(template).expect("static template is valid"));
            // Drawn at once: a terminal user sees the job started, however short it is.
            b.tick();
            b
        } else {
            ProgressBar::hidden()
        };
        let stop = Arc::new(AtomicBool::new(false));
        let ticker = visible.then(|| {
            let (bar, stop) = (bar.clone(), Arc::clone(&stop));
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    bar.set_position(counter.load(Ordering::Relaxed));
                    std::thread::sleep(Duration::from_millis(100));
                }
            })
        });
        Progress { bar, stop, ticker }
    }
}

impl Progress {
    /// Runs `f` (which prints to stderr) with the display cleared, then draws it again.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.bar.suspend(f)
    }
}

/// Whether progress is drawn: on a terminal, unless quiet. Never into a pipe or a file, where
/// its redraws would be noise in someone's log.
fn shown(quiet: bool, terminal: bool) -> bool {
    !quiet && terminal
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.ticker.take() {
            let _ = t.join();
        }
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_drawn_only_on_a_terminal_and_not_when_quiet() {
        assert!(shown(false, true));
        assert!(!shown(true, true));
        assert!(!shown(false, false));
        // Off a terminal the display is hidden and draws nothing, whatever the counter does.
        let counter = Arc::new(AtomicU64::new(0));
        let p = Progress::start(Some(10), Arc::clone(&counter), false);
        counter.store(20, Ordering::Relaxed);
        if !std::io::stderr().is_terminal() {
            assert!(p.bar.is_hidden());
        }
        assert!(Progress::start(None, counter, true).bar.is_hidden());
    }
}
