import { useEffect, useState } from "react";

const backendUrl = import.meta.env.VITE_BACKEND_URL;

export default function App() {
  const [activities, setActivities] = useState([]);
  const [error, setError] = useState(null);

  useEffect(() => {
    fetch(`${backendUrl}/api/activities/home`)
      .then((res) => {
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        return res.json();
      })
      .then(setActivities)
      .catch((err) => setError(err.message));
  }, []);

  return (
    <main>
      <h1>Cruddur</h1>
      {error && <p role="alert">Could not load activities: {error}</p>}
      <ul>
        {activities.map((a) => (
          <li key={a.uuid}>
            <strong>@{a.handle}</strong> {a.message}
          </li>
        ))}
      </ul>
    </main>
  );
}
