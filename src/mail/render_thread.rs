//! Mail is rendered and encoded on a thread of its own that runs at a lower
//! CPU priority (a higher nice value). A sign-up waiting for its answer goes
//! first; a mail may leave a moment later. With two cores shared by the app
//! and its clients, the worker rendering on the request threads was the
//! main cause of slow answers below saturation (BENCHMARKS.md).
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;

type Job = Box<dyn FnOnce() + Send>;

#[derive(Clone)]
pub struct RenderThread {
    jobs: mpsc::Sender<Job>,
}

/// The work gave no result: it panicked (the thread lives on), or the
/// thread is gone.
#[derive(Debug, thiserror::Error)]
#[error("rendering gave no result: it panicked, or the render thread stopped")]
pub struct NoRenderResult;

impl RenderThread {
    /// Starts the thread at `nice` (0: the priority of the rest of the app,
    /// 19: the lowest). It ends when the last handle is dropped.
    pub fn start(nice: i32) -> std::io::Result<Self> {
        let (jobs, inbox) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("mail-render".into())
            .spawn(move || {
                if nice != 0 {
                    if let Err(e) = set_own_nice(nice) {
                        tracing::warn!("mail render thread keeps normal priority: {e}");
                    }
                }
                for job in inbox {
                    // A panicking job loses its answer, not the thread.
                    let _ = catch_unwind(AssertUnwindSafe(job));
                }
            })?;
        Ok(RenderThread { jobs })
    }

    /// Runs `work` on the thread and waits for its result without blocking
    /// the async runtime.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, NoRenderResult> {
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(work());
        });
        self.jobs.send(job).map_err(|_| NoRenderResult)?;
        result.await.map_err(|_| NoRenderResult)
    }
}

/// On Linux the nice value belongs to each thread, so this lowers the
/// priority of the calling thread only.
#[cfg(target_os = "linux")]
fn set_own_nice(nice: i32) -> std::io::Result<()> {
    // SAFETY: gettid and setpriority take plain integers and touch no memory.
    let rc = unsafe {
        let thread = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, thread, nice)
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn set_own_nice(_nice: i32) -> std::io::Result<()> {
    Err(std::io::Error::other(
        "thread priority is only set on Linux",
    ))
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    fn own_nice() -> i32 {
        // SAFETY: as above; getpriority only reads.
        unsafe {
            let thread = libc::syscall(libc::SYS_gettid) as libc::id_t;
            libc::getpriority(libc::PRIO_PROCESS, thread)
        }
    }

    #[tokio::test]
    async fn work_runs_on_a_thread_at_the_asked_priority_and_survives_a_panic() {
        let before = own_nice();
        let renderer = RenderThread::start(before + 5).unwrap();
        let (nice, name) = renderer
            .run(|| (own_nice(), std::thread::current().name().map(str::to_owned)))
            .await
            .unwrap();
        assert_eq!(nice, (before + 5).min(19));
        assert_eq!(name.as_deref(), Some("mail-render"));
        assert_eq!(own_nice(), before, "the caller's own priority is untouched");

        assert!(renderer.run(|| panic!("a broken template")).await.is_err());
        assert_eq!(renderer.run(|| 42).await.unwrap(), 42);
    }
}
