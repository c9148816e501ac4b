//! Where a page of a back-office list starts: at the top, or next to a row
//! the reader has seen. Never at an offset, so a page deep in a long list
//! costs what the first one does.

/// How many rows a back-office page shows.
pub const PAGE_SIZE: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PageAt<K> {
    #[default]
    First,
    /// The rows after this one, in the list's order.
    After(K),
    /// The rows before this one: the page a "previous" link shows.
    Before(K),
}

impl<K> PageAt<K> {
    /// From the `after` and `before` of a query string. A key that is not
    /// one, or both at once, is refused: it is not a place in the list.
    pub fn parse(after: Option<&str>, before: Option<&str>) -> Result<Self, super::ParseError>
    where
        K: std::str::FromStr,
    {
        let key = |raw: Option<&str>| match raw.map(str::trim).filter(|r| !r.is_empty()) {
            None => Ok(None),
            Some(raw) => raw
                .parse()
                .map(Some)
                .map_err(|_| super::ParseError("page-unknown")),
        };
        match (key(after)?, key(before)?) {
            (None, None) => Ok(PageAt::First),
            (Some(key), None) => Ok(PageAt::After(key)),
            (None, Some(key)) => Ok(PageAt::Before(key)),
            (Some(_), Some(_)) => Err(super::ParseError("page-unknown")),
        }
    }

    /// Whether rows are read against the list's order (and turned round).
    pub fn reads_backwards(&self) -> bool {
        matches!(self, PageAt::Before(_))
    }
}

/// One page of rows and the keys that lead to its neighbours.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Window<T, K> {
    pub rows: Vec<T>,
    /// Set when there are rows before this page: `before` this key.
    pub previous: Option<K>,
    /// Set when there are rows after this page: `after` this key.
    pub next: Option<K>,
}

impl<T, K: Clone> Window<T, K> {
    /// A page from up to `size + 1` rows read from `at` (backwards for
    /// [`PageAt::Before`]): the extra row only says there are more.
    pub fn from_rows(mut rows: Vec<T>, at: &PageAt<K>, size: usize, key: impl Fn(&T) -> K) -> Self {
        let more = rows.len() > size;
        rows.truncate(size);
        if at.reads_backwards() {
            rows.reverse();
        }
        let first = rows.first().map(&key);
        let last = rows.last().map(&key);
        let (previous, next) = match at {
            PageAt::First => (None, last.filter(|_| more)),
            PageAt::After(_) => (first, last.filter(|_| more)),
            PageAt::Before(_) => (first.filter(|_| more), last),
        };
        Window {
            rows,
            previous,
            next,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Window<U, K> {
        Window {
            rows: self.rows.into_iter().map(f).collect(),
            previous: self.previous,
            next: self.next,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(all: &[i64], at: PageAt<i64>, size: usize) -> Window<i64, i64> {
        // What the database returns: up to size + 1 rows from the key on.
        let mut read: Vec<i64> = match at {
            PageAt::First => all.to_vec(),
            PageAt::After(k) => all.iter().copied().filter(|v| *v > k).collect(),
            PageAt::Before(k) => all.iter().rev().copied().filter(|v| *v < k).collect(),
        };
        read.truncate(size + 1);
        Window::from_rows(read, &at, size, |v| *v)
    }

    #[test]
    fn walking_forward_and_back_visits_every_row_once() {
        let all: Vec<i64> = (1..=25).collect();
        let first = page(&all, PageAt::First, 10);
        assert_eq!(
            (first.rows[0], first.previous, first.next),
            (1, None, Some(10))
        );
        let second = page(&all, PageAt::After(10), 10);
        assert_eq!(second.rows, (11..=20).collect::<Vec<_>>());
        assert_eq!((second.previous, second.next), (Some(11), Some(20)));
        let last = page(&all, PageAt::After(20), 10);
        assert_eq!((last.rows.len(), last.next), (5, None));
        let back = page(&all, PageAt::Before(21), 10);
        assert_eq!(back.rows, second.rows);
        let top = page(&all, PageAt::Before(11), 10);
        assert_eq!((top.rows, top.previous), ((1..=10).collect(), None));
    }

    #[test]
    fn a_place_that_is_not_one_is_refused() {
        assert!(PageAt::<i64>::parse(Some("1"), Some("2")).is_err());
        assert!(PageAt::<i64>::parse(Some("abc"), None).is_err());
        assert_eq!(PageAt::<i64>::parse(None, Some("")), Ok(PageAt::First));
        assert_eq!(PageAt::<i64>::parse(Some("7"), None), Ok(PageAt::After(7)));
    }
}
