import os
from datetime import datetime, timedelta, timezone

from dotenv import load_dotenv
from flask import Flask, jsonify

load_dotenv()

app = Flask(__name__)

frontend = os.getenv("FRONTEND_URL", "http://localhost:3000")


@app.after_request
def allow_frontend(response):
    # Minimal CORS so the React dev server can call the API.
    response.headers["Access-Control-Allow-Origin"] = frontend
    response.headers["Access-Control-Allow-Headers"] = "Content-Type, Authorization"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    return response


@app.route("/api/health-check")
def health_check():
    return jsonify({"success": True}), 200


@app.route("/api/activities/home")
def home_activities():
    now = datetime.now(timezone.utc)
    results = [
        {
            "uuid": "68f126b0-1ceb-4a33-88be-d90fa7109eee",
            "handle": "andrewbrown",
            "message": "Cloud is fun!",
            "created_at": (now - timedelta(days=2)).isoformat(),
            "expires_at": (now + timedelta(days=5)).isoformat(),
            "likes_count": 5,
            "replies_count": 1,
            "reposts_count": 0,
        },
        {
            "uuid": "66e12864-8c26-4c3a-9658-95a10f8fea67",
            "handle": "worf",
            "message": "This post has no honor!",
            "created_at": (now - timedelta(days=7)).isoformat(),
            "expires_at": (now + timedelta(days=9)).isoformat(),
            "likes_count": 0,
            "replies_count": 0,
            "reposts_count": 0,
        },
        {
            "uuid": "248959df-3079-4947-b847-9e0892d1bab4",
            "handle": "garek",
            "message": "My dear doctor, I am just a simple tailor.",
            "created_at": (now - timedelta(hours=1)).isoformat(),
            "expires_at": (now + timedelta(hours=12)).isoformat(),
            "likes_count": 0,
            "replies_count": 0,
            "reposts_count": 0,
        },
    ]
    return jsonify(results), 200


@app.route("/api/error")
def error():
    # Deliberately fails so error reporting can be tested end to end.
    raise RuntimeError("Test error from /api/error")


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 4567)), debug=False)
